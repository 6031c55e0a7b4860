// The bench's ledger: dynalite in a process of its own (DynamoDB is another service, not the
// caller's CPU), counting the requests it receives by operation. Forked by bench/storm.ts; says
// its port once listening, answers 'counts' with the counts so far and the CPU it has used.
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
// As drill/sandbox/listen.ts's IDLE_CONNECTION_MS: Node's 5 s would reset the pool's sockets between rounds.
server.keepAliveTimeout = 60_000;
const counts = {};
server.on('request', (req) => {
  const operation = String(req.headers['x-amz-target'] || '').split('.').pop() || '?';
  counts[operation] = (counts[operation] || 0) + 1;
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message !== 'counts') return;
  const cpu = process.cpuUsage();
  process.send({ counts: { calls: counts, cpuUs: cpu.user + cpu.system } });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
