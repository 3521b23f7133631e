/**
 * The native stack's SMTP sink: accepts every email on SMTP_SINK_PORT (2525, SMTP_URL's default)
 * and serves them on SMTP_SINK_HTTP_PORT (3005): `GET /messages[?to=address]`. Started by
 * scripts/stack/smtp-sink.sh (compiled: `node dist/scripts/stack/smtp-sink.js`), or
 * `npx tsx scripts/stack/smtp-sink.ts`. Messages live in memory: a restart forgets them.
 */
import { parseShopConfig } from '@shop/config';
import { SmtpSink } from '@shop/notifications';

async function main(): Promise<void> {
  const config = parseShopConfig(process.env);
  const sink = new SmtpSink({
    host: config.HOST,
    smtpPort: config.SMTP_SINK_PORT,
    httpPort: config.SMTP_SINK_HTTP_PORT,
  });
  const ports = await sink.start();
  console.log(
    `smtp-sink: SMTP on ${config.HOST}:${ports.smtpPort}, ` +
      `messages at http://${config.HOST}:${ports.httpPort}/messages`,
  );
  const stop = (): void => {
    void sink.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('smtp-sink failed to start:', error);
  process.exit(1);
});
