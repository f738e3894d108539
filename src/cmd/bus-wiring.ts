/**
 * Which hint bus a process uses: `nucleon up` an in-process bus shared by its server and agents;
 * `nucleon server` and `nucleon agent` RabbitMQ from [DEFAULT] transport_url when a file sets it
 * (with the [oslo_messaging_rabbit] reconnect and heartbeat options), else none — agents then find
 * changes by polling every [agent] polling_interval.
 */
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/index.js';
import type { Bus } from '../bus/bus.js';
import { createAmqpBus } from '../bus/amqp.js';
import { amqpBusOptions } from '../bus/from-config.js';

export function busFromConfig(conf: LoadedConfig, log: Logger, connectionName: string): Bus | undefined {
  if (!conf.isSet('DEFAULT', 'transport_url')) return undefined;
  const rb = <T>(o: string) => conf.get<T>('oslo_messaging_rabbit', o);
  const opts = amqpBusOptions(
    conf.get<string>('DEFAULT', 'transport_url'),
    { retryInterval: rb('rabbit_retry_interval'), intervalMax: rb('rabbit_interval_max'), heartbeatTimeoutThreshold: rb('heartbeat_timeout_threshold') },
    { logger: log.child({ component: 'bus' }), connectionName, exchange: conf.get<string>('DEFAULT', 'control_exchange') },
  );
  return createAmqpBus(opts);
}
