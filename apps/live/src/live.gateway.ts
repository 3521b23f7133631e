import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { LiveConnection } from '@shop/live';
import type { RawData, Server, WebSocket } from 'ws';
import { LiveMetrics } from './live-metrics';
import { LiveStockService } from './live-stock.service';

/** The one Nest event every frame becomes; the protocol's own `type` is read by the hub. */
const FRAME_EVENT = 'frame';

/**
 * For WsAdapter: Nest's default parser wants `{ event, data }` and silently drops anything else
 * (bad JSON included); the shop's protocol answers every bad frame with an error, so each frame
 * goes to the handler as text (null for a binary frame).
 */
export function liveMessageParser(data: RawData | string): { event: string; data: string | null } {
  return { event: FRAME_EVENT, data: typeof data === 'string' ? data : null };
}

/** Frames past this are refused by ws (close 1009); the protocol's own limit is far lower. */
const MAX_FRAME_BYTES = 64 * 1024;

/**
 * `ws://<front>/live` (Varnish pipes the upgrade here). Every connection gets a LiveConnection on
 * the hub; a ping every LIVE_PING_INTERVAL_MS keeps idle sockets inside Varnish's pipe_timeout
 * and drops clients that stopped answering.
 */
@WebSocketGateway({ path: '/live', maxPayload: MAX_FRAME_BYTES })
export class LiveGateway
  implements
    OnGatewayInit<Server>,
    OnGatewayConnection<WebSocket>,
    OnGatewayDisconnect<WebSocket>,
    OnModuleDestroy
{
  private readonly logger = new Logger('LiveGateway');
  private readonly connections = new Map<WebSocket, LiveConnection>();
  private readonly answeredPing = new WeakSet<WebSocket>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly live: LiveStockService,
    private readonly metrics: LiveMetrics,
    @Inject(SHOP_CONFIG) private readonly config: ShopConfig,
  ) {}

  afterInit(): void {
    this.pingTimer = setInterval(() => this.pingAll(), this.config.LIVE_PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  handleConnection(socket: WebSocket): void {
    this.connections.set(socket, new LiveConnection(socket));
    this.answeredPing.add(socket);
    socket.on('pong', () => this.answeredPing.add(socket));
    this.metrics.connections.set(this.connections.size);
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    this.connections.delete(socket);
    if (connection) this.live.hub.disconnect(connection);
    this.metrics.connections.set(this.connections.size);
    this.metrics.subscriptions.set(this.live.hub.subscriptions.subscriptionCount);
  }

  @SubscribeMessage(FRAME_EVENT)
  async handleFrame(
    @ConnectedSocket() socket: WebSocket,
    @MessageBody() text: string | null,
  ): Promise<void> {
    const connection = this.connections.get(socket);
    if (!connection) return;
    if (text === null) {
      connection.send({ type: 'error', message: 'binary frames are not accepted; send JSON text' });
      return;
    }
    await this.live.hub.handleText(connection, text);
    this.metrics.subscriptions.set(this.live.hub.subscriptions.subscriptionCount);
  }

  onModuleDestroy(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
  }

  private pingAll(): void {
    for (const socket of this.connections.keys()) {
      if (!this.answeredPing.has(socket)) {
        // No pong since the last ping: the peer is gone without a close (a dead link).
        this.logger.debug(`dropping a connection that missed its pong`);
        socket.terminate();
        continue;
      }
      this.answeredPing.delete(socket);
      socket.ping();
    }
  }
}
