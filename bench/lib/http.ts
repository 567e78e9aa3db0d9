/** A minimal keep-alive JSON client, so benchmarks measure the server rather than the client. */
import http from 'node:http';

export class JsonClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, json: (text ? JSON.parse(text) : {}) as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request, but throws unless the status is 200. */
  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request<T>(method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  }

  close(): void {
    this.agent.destroy();
  }
}
