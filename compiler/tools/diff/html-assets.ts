// The style and the small script of the HTML diff page, inline so the page stays one file
// that needs no network. The script only toggles what the static page already holds:
// collapsed subtrees (the `hidden` attribute) and "changes only" (a class on <body>).

export const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5em 2em;color:#1f2328}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.files{font:12px ui-monospace,monospace;color:#57606a;margin:.2em 0}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eaeef2;vertical-align:top;text-align:left}
th{font-weight:600;background:#f6f8fa}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px ui-monospace,monospace}small{color:#57606a}del{color:#cf222e;text-decoration:none}ins{color:#1a7f37;text-decoration:none}
#tree{width:100%}td.name{white-space:nowrap}td.det{font-size:12px}
.tg{display:inline-block;width:1.3em;border:0;background:none;padding:0;cursor:pointer;font-size:12px;color:#57606a}
.mk{font:12px ui-monospace,monospace;color:#57606a}
tr.hl-added>td{background:#dafbe1}tr.hl-removed>td{background:#ffebe9}tr.hl-self>td{background:#fff8c5}
tr.ripple>td{color:#57606a}
body.only tr.ripple{display:none}body.only .tg-ripple{visibility:hidden}
.controls{margin:.4em 0}.controls button{font-size:12px;margin-left:.6em}
.up{color:#cf222e}.down{color:#1a7f37}
details.fwd summary{cursor:pointer}details.fwd pre{margin:.2em 0;font-size:12px;white-space:pre-wrap}`;

export const SCRIPT = `(() => {
  const rows = [...document.querySelectorAll("#tree tbody tr")];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const open = new Set();
  const shown = (r) => {
    for (let p = r.dataset.parent; p; p = byId.get(p).dataset.parent) if (!open.has(p)) return false;
    return true;
  };
  const update = () => {
    for (const r of rows) {
      r.hidden = !shown(r);
      const b = r.querySelector("button.tg");
      if (b) { b.setAttribute("aria-expanded", String(open.has(r.id))); b.textContent = open.has(r.id) ? "\\u25be" : "\\u25b8"; }
    }
  };
  document.getElementById("tree").addEventListener("click", (e) => {
    const b = e.target.closest("button.tg");
    if (!b) return;
    const id = b.closest("tr").id;
    if (open.has(id)) open.delete(id); else open.add(id);
    update();
  });
  const only = document.getElementById("changes-only");
  only.addEventListener("change", () => document.body.classList.toggle("only", only.checked));
  document.getElementById("expand-all").addEventListener("click", () => { for (const r of rows) if (r.querySelector("button.tg")) open.add(r.id); update(); });
  document.getElementById("collapse-all").addEventListener("click", () => { open.clear(); update(); });
})();`;
