// Preloaded (NODE_OPTIONS="--import …/netTrap.mjs") into every Node process of a test that
// must not reach the network: appends "<pid> <host> <port>" (or "<pid> pipe <path>") for
// every outgoing connection to the file named by KSE_NET_TRAP_FILE, before it is made.
// Every TCP and TLS connection (net, tls, http, https, fetch, the AWS SDK) goes through
// net.Socket.prototype.connect, so that one method sees them all; DNS names are recorded
// as given, before any lookup (a name that does not resolve is recorded too).
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const file = process.env.KSE_NET_TRAP_FILE;
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function trappedConnect(...args) {
  const [first, second] = args;
  // net.connect() passes its normalized arguments as one array; socket.connect() callers
  // pass (options[, listener]) or (port[, host][, listener]).
  const options = Array.isArray(first)
    ? first[0]
    : typeof first === 'object' && first !== null
      ? first
      : { port: first, host: typeof second === 'string' ? second : undefined };
  const target =
    typeof options.path === 'string'
      ? `pipe ${options.path}`
      : `${options.host ?? 'localhost'} ${options.port}`;
  if (file !== undefined) appendFileSync(file, `${process.pid} ${target}\n`);
  return connect.apply(this, args);
};
