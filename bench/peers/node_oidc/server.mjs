// node-oidc-provider for the token-endpoint benchmark (bench/bench_token_endpoint.py).
//
// One confidential client allowed only client_credentials; access tokens are JWTs (RFC 9068 style,
// through resource indicators, RFC 8707) signed RS256 with a 2048-bit key made at start and shared by
// the workers. The resource is the default one, so the request needs no `resource` parameter.
//
//   PORT=... CLIENT_ID=... CLIENT_SECRET=... WORKERS=2 NODE_ENV=production node server.mjs
//
// WORKERS > 1 forks that many workers with node:cluster (the primary only forwards connections).
// Listens on 127.0.0.1 only. Prints "ready" once every worker listens.
import cluster from 'node:cluster';
import { generateKeyPairSync } from 'node:crypto';

const port = Number(process.env.PORT);
const workers = Number(process.env.WORKERS || 1);
const AUDIENCE = 'https://api.bench.example';

if (cluster.isPrimary && workers > 1) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const env = { SIGNING_JWK: JSON.stringify(privateKey.export({ format: 'jwk' })) };
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) console.log('ready');
  });
  for (let i = 0; i < workers; i += 1) cluster.fork(env);
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const { default: Provider } = await import('oidc-provider');
  const jwk = process.env.SIGNING_JWK
    ? JSON.parse(process.env.SIGNING_JWK)
    : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read',
    }],
    scopes: ['read'],
    jwks: { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: 'bench-rs256' }] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => AUDIENCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resourceIndicator) => {
          if (resourceIndicator !== AUDIENCE) throw new Provider.errors.InvalidTarget();
          return {
            scope: 'read',
            audience: AUDIENCE,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  provider.listen(port, '127.0.0.1', () => {
    if (!cluster.isWorker) console.log('ready');
  });
}
