// The HTML report's only stylesheet, inline: the page must open anywhere with no network.
export const style = `
:root { --ok: #1a7f37; --bad: #cf222e; --dim: #656d76; --skip: #9a6700; --line: #d0d7de; --code: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 980px; padding: 24px; font: 15px/1.5 system-ui, sans-serif; color: #1f2328; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: var(--code); padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre; }
h1 { margin: 0 0 8px; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: 6px; margin-top: 40px; }
h2 code.path { font-size: 13px; color: var(--dim); font-weight: normal; }
.duration { color: var(--dim); font-size: 13px; margin-left: 6px; }
.summary .count { font-weight: 600; margin-right: 4px; }
.summary .passed { color: var(--ok); } .summary .failed { color: var(--bad); } .summary .skipped { color: var(--skip); }
table.index { border-collapse: collapse; width: 100%; margin: 12px 0 24px; }
table.index th, table.index td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
table.index td.number { text-align: right; color: var(--dim); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; line-height: 20px;
  color: #fff; background: var(--dim); vertical-align: middle; }
.badge.passed, .badge.recorded, .badge.updated { background: var(--ok); }
.badge.failed { background: var(--bad); }
.badge.skipped { background: var(--skip); }
.badge.not-run { background: #8c959f; }
.badge.interrupted { background: #9a6700; }
.reason { color: var(--bad); font-weight: 600; }
section.skipped .reason { color: var(--skip); }
.notes { color: var(--dim); font-size: 13px; }
.block { border-left: 4px solid var(--ok); padding-left: 10px; margin: 12px 0; }
.block.failed { border-color: var(--bad); } .block.interrupted { border-color: #9a6700; } .block.not-run, .block.skipped { border-color: #8c959f; }
.block > pre { margin-bottom: 6px; }
.results { display: grid; gap: 6px; }
.step { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
.step.failed { border-color: var(--bad); background: #fff5f5; }
.step-head { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.step-head .where { color: var(--dim); }
.step-head .typed { color: var(--dim); font-size: 13px; }
.step .message { margin: 6px 0; color: var(--bad); }
.step pre { margin: 6px 0 0; max-height: 30em; overflow: auto; }
pre.diff .removed { color: var(--bad); background: #ffebe9; display: block; }
pre.diff .added { color: var(--ok); background: #dafbe1; display: block; }
pre.diff .hunk { color: #0969da; display: block; }
pre.diff .same { color: var(--dim); display: block; }
.image { color: var(--dim); font-style: italic; }
`;
