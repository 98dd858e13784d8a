import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Errors } from '../errors/domain-error.js';

/**
 * Addresses a webhook may not reach unless WEBHOOK_ALLOW_PRIVATE is set: this host and its neighbours (loopback,
 * private, carrier-grade NAT, link-local, which holds the cloud metadata service 169.254.169.254), and what is
 * not unicast. Node's own BlockList does the matching; IPv4-mapped IPv6 addresses are checked as IPv4.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6');

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Whether an outbound request may connect to this IP address. */
export function isPublicAddress(address: string): boolean {
  const mapped = MAPPED_V4.exec(address);
  if (mapped) return isPublicAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return false;
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export const urlRefused = (reason: string) =>
  Errors.badRequest('webhook/url_refused', `the webhook URL is refused: ${reason}`);

/** The URL, if it is an absolute http(s) URL without credentials; a 400 otherwise. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw urlRefused('not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw urlRefused('only http and https are allowed');
  if (url.username || url.password) throw urlRefused('credentials in the URL are not allowed');
  return url;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}

/**
 * Checks a webhook URL at registration: http(s) only, and (unless private targets are allowed) every address
 * its host resolves to must be public. Deliveries check again when they connect (see guardedLookup), so a
 * host that later resolves elsewhere (DNS rebinding) is refused then.
 */
export async function checkWebhookUrl(text: string, allowPrivate: boolean): Promise<URL> {
  const url = parseWebhookUrl(text);
  if (allowPrivate) return url;
  const host = hostOf(url);
  if (isIP(host)) {
    if (!isPublicAddress(host)) throw urlRefused(`${host} is not a public address`);
    return url;
  }
  const addresses = await resolveAll(host).catch(() => {
    throw urlRefused(`the host ${host} does not resolve`);
  });
  const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
  if (addresses.length === 0 || blocked) throw urlRefused(`${host} resolves to a non-public address`);
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses non-public addresses: the check runs on the very addresses the
 * socket then connects to, so a name that resolved to a public address at registration cannot be rebound to
 * a private one for the delivery.
 */
export function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number },
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked || addresses.length === 0) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a non-public address`);
      refused.code = 'EADDRREFUSED';
      return callback(refused, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
