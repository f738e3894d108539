/**
 * `nucleon port plug <port> --netns NAME` / `nucleon port unplug <port>`: what Nova's libvirt VIF
 * driver does for a linuxbridge port, with a network namespace as the "instance" (DESIGN.md §6):
 * a veth whose host side is `tap<port id[:11]>` and whose inside end `eth0` has the port's MAC and
 * the network's MTU, then `binding:host_id` (and device_id/device_owner when empty) through the API.
 * The agent on that host puts the tap into its bridge and reports the port ACTIVE.
 */
import { loadConfig, type LoadedConfig } from '../config/index.js';
import { createRunner, type Runner } from '../agent/linux/exec.js';
import { ExecError } from '../agent/linux/exec.js';
import { listLinks } from '../agent/linux/ip.js';
import { addNetns } from '../agent/linux/netns.js';
import { CONFIG_HELP, CONFIG_OPTIONS, CommandError, configSources, parse, UsageError } from './args.js';
import { agentClientAuth } from './agent-config.js';
import { ApiSession, clientAuthFromEnvironment, noauthHeaders, type ClientAuth } from './os-auth.js';
import { ApiClient, ApiError } from './api-client.js';

export const PORT_HELP = `Usage: nucleon port plug <port> --netns NAME [--host H] [options]
       nucleon port unplug <port> [options]

plug: creates network namespace NAME if absent and a veth pair: tap<port id[:11]> in this host's
namespace, eth0 (the port's MAC, the network's MTU) in NAME; then sets the port's binding:host_id
to the host (and device_id = NAME, device_owner = compute:nova when they are empty), as Nova does.
unplug: deletes the veth and clears binding:host_id (and a compute:* device_owner and its device_id).
The namespace NAME is left for you to delete.

The API is reached like any OpenStack client: OS_CLOUD with clouds.yaml (OS_CLIENT_CONFIG_FILE,
./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml) or OS_AUTH_URL,
OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, ... (OS_AUTH_TYPE=none with OS_ENDPOINT for a noauth
server); or, given --config-file, as this host's agent does ([agent] nucleon_server_url,
[keystone_authtoken] or noauth). The host is --host, else [DEFAULT] host of the files, else hostname.

Options:
  --netns NAME         the instance's namespace (plug)
  --host H             binding:host_id (default: [DEFAULT] host)
${CONFIG_HELP}
  --host-netns FILE    this host's network namespace is FILE's (simulated hosts in tests)
  -h, --help           this help`;

interface Port {
  id: string;
  name: string;
  network_id: string;
  mac_address: string;
  device_id: string;
  device_owner: string;
  fixed_ips: { ip_address: string }[];
  'binding:host_id'?: string;
}

export async function port(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') { console.log(PORT_HELP); return sub ? 0 : 2; }
  if (sub !== 'plug' && sub !== 'unplug') throw new UsageError(`unknown port command '${sub}' (plug, unplug)`);
  const args = parse(rest, { ...CONFIG_OPTIONS, netns: { type: 'string' }, host: { type: 'string' }, 'host-netns': { type: 'string' } }, true);
  if (args.help) { console.log(PORT_HELP); return 0; }
  if (args.positionals.length !== 1) throw new UsageError(`port ${sub} takes one port (id or name)`);
  const sources = configSources(args.values);
  const conf = loadConfig(sources);
  const api = new ApiClient(new ApiSession(await portClientAuth(conf, sources.files.length + sources.dirs.length > 0)));
  const runner = createRunner({ hostNetns: args.values['host-netns'] as string | undefined });
  const p = await findPort(api, args.positionals[0]!);
  const tap = `tap${p.id.slice(0, 11)}`;
  if (sub === 'plug') {
    const netns = args.values.netns as string | undefined;
    if (!netns) throw new UsageError('port plug needs --netns NAME');
    const host = (args.values.host as string | undefined) ?? conf.get<string>('DEFAULT', 'host');
    const { network } = await api.request<{ network: { mtu?: number } }>('GET', `/v2.0/networks/${p.network_id}`);
    await plugVeth(runner, { tap, netns, mac: p.mac_address, mtu: network.mtu ?? 0 });
    const body: Record<string, unknown> = { 'binding:host_id': host };
    if (!p.device_id) body.device_id = netns;
    if (!p.device_owner) body.device_owner = 'compute:nova';
    await api.request('PUT', `/v2.0/ports/${p.id}`, { port: body });
    console.log(`plugged port ${p.id} (${p.mac_address}${p.fixed_ips.length ? ` ${p.fixed_ips.map((f) => f.ip_address).join(' ')}` : ''}) into netns ${netns} via ${tap}, bound to host ${host}`);
    return 0;
  }
  await deleteLink(runner, tap);
  const body: Record<string, unknown> = { 'binding:host_id': '' };
  if (p.device_owner.startsWith('compute:')) Object.assign(body, { device_id: '', device_owner: '' });
  await api.request('PUT', `/v2.0/ports/${p.id}`, { port: body });
  console.log(`unplugged port ${p.id}: ${tap} deleted, binding:host_id cleared`);
  return 0;
}

async function portClientAuth(conf: LoadedConfig, fromFiles: boolean): Promise<ClientAuth> {
  if (fromFiles) {
    const a = agentClientAuth(conf);
    // Binding a port is an admin action: noauth callers say so.
    return a.password ? a : { ...a, interface: 'public', noauthHeaders: noauthHeaders() };
  }
  const env = await clientAuthFromEnvironment();
  if (!env) throw new CommandError('no credentials: set OS_CLOUD (clouds.yaml) or OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME, or give --config-file');
  return env;
}

async function findPort(api: ApiClient, ref: string): Promise<Port> {
  try {
    return (await api.request<{ port: Port }>('GET', `/v2.0/ports/${encodeURIComponent(ref)}`)).port;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  const { ports } = await api.request<{ ports: Port[] }>('GET', `/v2.0/ports?name=${encodeURIComponent(ref)}`);
  if (ports.length === 1) return ports[0]!;
  throw new CommandError(ports.length ? `more than one port is named '${ref}': use its id` : `no port '${ref}'`, 1);
}

/** Idempotent: an existing tap (a plug repeated) is only brought up again. */
export async function plugVeth(r: Runner, o: { tap: string; netns: string; mac: string; mtu: number }): Promise<void> {
  await addNetns(r, o.netns);
  const exists = (await listLinks(r)).some((l) => l.ifname === o.tap);
  if (!exists) await r.run(['ip', 'link', 'add', o.tap, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', o.netns]);
  const mtu = o.mtu > 0 ? ` mtu ${o.mtu}` : '';
  await r.run(['ip', '-batch', '-'], { netns: o.netns, input: `link set lo up\nlink set eth0 address ${o.mac}${mtu}\nlink set eth0 up\n` });
  await r.run(['ip', '-batch', '-'], { input: `link set ${o.tap}${mtu} up\n` });
}

async function deleteLink(r: Runner, name: string): Promise<void> {
  try {
    await r.run(['ip', 'link', 'del', name]);
  } catch (err) {
    if (err instanceof ExecError && /Cannot find device|does not exist/i.test(err.stderr)) return;
    throw err;
  }
}
