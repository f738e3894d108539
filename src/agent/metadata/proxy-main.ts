/**
 * Entry point of one metadata proxy process, started by the agent inside `qrouter-<id>` or `qdhcp-<net>`
 * (`ip netns exec <ns> node proxy-main <config file>`). Listens on <listenHost>:<listenPort>; exits on
 * SIGTERM. The config file path on the command line is also how the agent recognises its PID.
 */
import { readFileSync } from 'node:fs';
import { createMetadataProxy, type MetadataProxyConfig } from './proxy.js';

const cfg = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as MetadataProxyConfig;
const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} metadata-proxy ${cfg.name}: ${msg}\n`);
const server = createMetadataProxy(cfg, log);
server.listen(cfg.listenPort, cfg.listenHost ?? '0.0.0.0', () => log(`listening on ${cfg.listenHost ?? '0.0.0.0'}:${cfg.listenPort}`));
server.on('error', (err) => {
  log(`cannot listen: ${err.message}`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(() => {}, 2 ** 31 - 1).unref();
