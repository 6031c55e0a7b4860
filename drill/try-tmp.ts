import { Drill } from '/work/main/drill/drill';
import { loadConfig } from '/work/main/lib/config/load';
import { readInputFile } from '/work/main/drill/inputs';
import { renderResult } from '/work/main/drill/render';
(async () => {
  const config = loadConfig('drill');
  config.runbooks['llm-budget-guardrail'].enabled = false;
  const drill = await Drill.start({ config });
  for (const f of process.argv.slice(2)) {
    const r = await drill.handle(readInputFile(f));
    console.log(renderResult(r));
  }
  await drill.close();
})().catch((e) => { console.error('ERR', e); process.exit(1); });
