import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1:`preferred`, or on a free port when that one is taken; resolves the server and its base URL. */
export async function listenLoopback(preferred: number): Promise<{ server: Server; base: string }> {
  const server = createServer();
  const attempt = (port: number) => new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  try {
    await attempt(preferred);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await attempt(0);
  }
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A port that is free right now, `preferred` when it is (the server child binds it a moment later). */
export async function freeLoopbackPort(preferred: number): Promise<number> {
  const { server, base } = await listenLoopback(preferred);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return Number(new URL(base).port);
}
