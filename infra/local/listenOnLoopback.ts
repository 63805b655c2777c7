import { type AddressInfo, Server } from 'node:net';

/**
 * Runs `start` while every net.Server it creates is forced onto 127.0.0.1 (fauxqs 1.x listens on
 * 0.0.0.0 whatever `host` says; an emulator without auth must not be reachable from outside),
 * then checks where each of them actually listens. `onServer` sees each server (to meter its
 * requests, e.g.).
 */
export const listenOnLoopback = async <T>(
  start: () => Promise<T>,
  onServer?: (server: Server) => void,
): Promise<T> => {
  const original = Server.prototype.listen;
  const servers: Server[] = [];
  Server.prototype.listen = function patched(this: Server, ...args: unknown[]) {
    servers.push(this);
    const [first] = args;
    if (first && typeof first === 'object') {
      args[0] = { ...(first as object), host: '127.0.0.1' };
    } else if (typeof first === 'number' || typeof first === 'string') {
      if (typeof args[1] === 'string') args[1] = '127.0.0.1';
      else args.splice(1, 0, '127.0.0.1');
    }
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof Server.prototype.listen;
  let result: T;
  try {
    result = await start();
  } finally {
    Server.prototype.listen = original;
  }
  if (servers.length === 0) throw new Error('the emulator opened no server');
  for (const s of servers) {
    const address = s.address() as AddressInfo | null;
    if (address?.address !== '127.0.0.1') {
      s.close();
      throw new Error(`emulator listens on ${address?.address}, expected 127.0.0.1 only`);
    }
  }
  if (onServer) for (const s of servers) onServer(s);
  return result;
};
