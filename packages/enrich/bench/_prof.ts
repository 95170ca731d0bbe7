import {
  InMemoryJoinStore,
  IntervalJoin,
  createPreprocessor,
  loadReferenceTable,
} from '../src/index.js';
import { chunk, products } from './data.js';
const pre = createPreprocessor();
const join = new IntervalJoin({
  store: new InMemoryJoinStore(),
  products: await loadReferenceTable({ products: products() }),
});
let n = 0;
for (let from = 0; from < 150_000; from += 10_000) {
  const lines = chunk(from, from + 10_000);
  const inputs = lines.map((l) => ({ data: l.text, arrivalTime: l.arrivalTime }));
  for (let i = 0; i < inputs.length; i += 500) {
    const r = pre(inputs.slice(i, i + 500));
    const j = await join.process(r.records);
    for (const row of j.rows) n += JSON.stringify(row).length;
  }
}
console.log(n);
