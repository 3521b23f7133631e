import 'reflect-metadata';
import { WsAdapter } from '@nestjs/platform-ws';
import { startShopApp } from '@shop/http';
import { LiveModule } from './live.module';
import { liveMessageParser } from './live.gateway';

// `node dist/apps/live/src/main.js`: HTTP (/health, /metrics) and the WebSocket /live on one port.
void startShopApp(LiveModule, {
  port: (config) => config.LIVE_PORT,
  openApi: {
    title: 'Live stock gateway',
    description: 'Health and Prometheus metrics of the WebSocket gateway at ws://<front>/live',
  },
  // The gateway's sockets share the app's HTTP server (Fastify's): upgrades to /live go to ws.
  beforeListen: (app) => {
    app.useWebSocketAdapter(new WsAdapter(app, { messageParser: liveMessageParser }));
    return Promise.resolve();
  },
});
