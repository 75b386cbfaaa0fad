// A TCP proxy between a worker and its server that the chaos driver can cut: every connection
// through it is destroyed at once and new ones are refused until it is restored, as when a network
// link drops (the worker sees a reset, the server a closed socket).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../support/local-host';

export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private cut = false;
  /** How many times the link was cut. */
  cuts = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `targetPort` there. */
  static async start(targetPort: number): Promise<CuttableProxy> {
    const port = await freePort();
    let proxy: CuttableProxy;
    const server = createServer((client) => proxy.accept(client, targetPort));
    proxy = new CuttableProxy(server, port);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket, targetPort: number): void {
    if (this.cut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every open connection and refuses new ones until {@link restore}. */
  cutLink(): void {
    this.cuts++;
    this.dropAll();
  }

  private dropAll(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
