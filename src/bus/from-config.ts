/**
 * AmqpBusOptions from Neutron's configuration: [DEFAULT] transport_url (several hosts, each with its
 * own credentials, and a vhost) and the [oslo_messaging_rabbit] reconnect and heartbeat options.
 * The composition root picks the transport: createInProcessBus() for `nucleon up`, else this.
 */
import { ConfigError } from '../config/errors.js';
import { amqpUrls, parseTransportUrl, type TransportUrl } from '../config/urls.js';
import type { RabbitOptions } from '../config/server-options.js';
import type { AmqpBusOptions } from './amqp.js';

export type RabbitReconnectOptions = Pick<RabbitOptions, 'retryInterval' | 'intervalMax' | 'heartbeatTimeoutThreshold'>;

/** oslo.messaging's defaults for the options above. */
export const RABBIT_DEFAULTS: RabbitReconnectOptions = { retryInterval: 1, intervalMax: 30, heartbeatTimeoutThreshold: 60 };

/**
 * Throws ConfigError naming [DEFAULT] transport_url for a scheme other than rabbit/amqp (oslo's
 * kafka and fake drivers have no Nucleon counterpart across processes).
 */
export function amqpBusOptions(
  transportUrl: TransportUrl | string,
  rabbit: RabbitReconnectOptions = RABBIT_DEFAULTS,
  extra: Omit<AmqpBusOptions, 'urls' | 'reconnect' | 'heartbeatSeconds'> = {},
): AmqpBusOptions {
  const t = typeof transportUrl === 'string' ? parseTransportUrl(transportUrl) : transportUrl;
  if (t.scheme !== 'rabbit' && t.scheme !== 'amqp') {
    throw new ConfigError(`transport "${t.scheme}" is not supported by the hint bus (use rabbit://)`, { section: 'DEFAULT', option: 'transport_url' });
  }
  // Never retry in a tight loop, whatever rabbit_retry_interval says.
  const initialMs = Math.max(100, rabbit.retryInterval * 1000);
  return {
    exchange: 'neutron',
    ...extra,
    urls: amqpUrls(t),
    reconnect: { initialMs, maxMs: Math.max(initialMs, rabbit.intervalMax * 1000) },
    heartbeatSeconds: rabbit.heartbeatTimeoutThreshold,
  };
}
