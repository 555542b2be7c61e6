/**
 * Issue 11 point 2: the client honours HTTP(S)_PROXY / NO_PROXY and `--proxy`, tested through a real
 * forward proxy process on loopback (a small CONNECT + absolute-URI proxy written here).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEncordClient, type EncordClient } from '../../src/encord/client.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { cli, envFor, demoEmulator, DATASET } from '../cli/helpers.js';
import { KEY_PATH } from './helpers.js';

const DS = '22222222-3333-4444-8555-666666666666';

interface Proxied {
  readonly how: 'absolute' | 'connect';
  readonly target: string;
  readonly proxyAuthorization: string | undefined;
}

/** A forward proxy on 127.0.0.1: absolute-URI requests are relayed, CONNECT is tunnelled. */
async function startProxy(): Promise<{ url: string; log: Proxied[]; close: () => Promise<void> }> {
  const log: Proxied[] = [];
  const server: Server = createServer((req, res) => {
    log.push({ how: 'absolute', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    log.push({ how: 'connect', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let emulator: Emulator;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let client: EncordClient | undefined;

beforeEach(async () => {
  emulator = await startEmulator({ datasets: [{ hash: DS, rows: [{ title: 'a.jpg', metadata: { k: 1 } }] }] });
  proxy = await startProxy();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await emulator.close();
  await proxy.close();
});

async function makeClient(env: Record<string, string | undefined>, explicit?: string | false): Promise<EncordClient> {
  const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
  client = createEncordClient({ auth, domain: emulator.url, env, ...(explicit !== undefined && { proxy: explicit }) });
  return client;
}

describe('proxies (issue 11 point 2)', () => {
  it('HTTP_PROXY: every request goes through the proxy and reaches Encord', async () => {
    const c = await makeClient({ HTTP_PROXY: proxy.url });
    expect((await c.getDataset(DS)).units).toHaveLength(1);
    expect(proxy.log.length).toBeGreaterThan(0);
    expect(proxy.log[0]!.target).toContain(new URL(emulator.url).host);
    expect(emulator.counters()['v1:dataset:GET']!.requests).toBe(1);
    expect(c.options.proxy).toMatchObject({ display: proxy.url, source: 'HTTP_PROXY' });
  });

  it('NO_PROXY naming the host: a direct connection, the proxy sees nothing', async () => {
    const c = await makeClient({ http_proxy: proxy.url, NO_PROXY: 'example.com, 127.0.0.1' });
    expect((await c.getDataset(DS)).units).toHaveLength(1);
    expect(proxy.log).toEqual([]);
    expect(c.options.proxy).toBeNull();
  });

  it('an explicit proxy with credentials sends Proxy-Authorization; the shown proxy has no password', async () => {
    const withAuth = proxy.url.replace('http://', 'http://alice:s3cret-pw@');
    const c = await makeClient({}, withAuth);
    await c.getDataset(DS);
    expect(proxy.log[0]!.proxyAuthorization).toBe(`Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
    expect(c.options.proxy!.display).toBe(proxy.url);
    expect(JSON.stringify(c.options.proxy!.display + c.options.proxy!.source)).not.toContain('s3cret');
  });

  it('proxy: false ignores the environment', async () => {
    const c = await makeClient({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }, false);
    await c.getDataset(DS);
    expect(proxy.log).toEqual([]);
  });

  it('CLI: --proxy and HTTP_PROXY are used, and -v says which proxy without its credentials', async () => {
    const demo = await demoEmulator();
    try {
      const withAuth = proxy.url.replace('http://', 'http://bob:hunter22-pw@');
      const run = await cli(['-v', '--proxy', withAuth, 'list', '--dataset', DATASET, '--json'], { url: demo.url, env: envFor(demo.url) });
      expect(run.code).toBe(0);
      expect(run.err).toContain(`through proxy ${proxy.url} (from the proxy option)`);
      expect(run.err + run.out).not.toContain('hunter22');
      const before = proxy.log.length;
      expect(before).toBeGreaterThan(0);
      const viaEnv = await cli(['-v', 'list', '--dataset', DATASET, '--json'], { url: demo.url, env: envFor(demo.url, { HTTP_PROXY: proxy.url }) });
      expect(viaEnv.code).toBe(0);
      expect(viaEnv.err).toContain(`through proxy ${proxy.url} (from HTTP_PROXY)`);
      expect(proxy.log.length).toBeGreaterThan(before);
    } finally {
      await demo.close();
    }
  });
});
