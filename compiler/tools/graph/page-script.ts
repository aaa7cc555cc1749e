// The script of the interactive diagram page (page.ts), as text: plain JavaScript run by
// the browser, no libraries. `compute` is diagram.ts's unit and edge rules over the page's
// data for any open/closed state (test/tools/graph-page.test.ts runs it in Node against
// buildDiagram); the rest draws nested boxes, ranks each container's children by data flow
// (bottom to top, as in the Graphviz diagrams) and draws the edges in SVG (page-edges.ts).
import { EDGES_SCRIPT } from "./page-edges.js";

export const PAGE_SCRIPT = String.raw`(function () {
"use strict";
// state[i]: 0 closed (a box), 1 open (a cluster of its children), 2 open with its own ops.
function compute(D, state) {
  var I = D.instances;
  var isBox = function (i) { return state[i] === 0 || (I[i].kids === 0 && state[i] !== 2); };
  var places = new Map();
  var placeOf = function (s) {
    var hit = places.get(s);
    if (hit) return hit;
    var chain = [];
    for (var p = s; p > 0; p = I[p].par) chain.unshift(p);
    var box = chain.find(isBox);
    hit = box !== undefined ? { box: box } : { ops: state[s] === 2 };
    places.set(s, hit);
    return hit;
  };
  var unitOf = D.nodes.map(function (n) {
    var pl = placeOf(n[0]);
    return pl.box !== undefined ? "c:" + I[pl.box].p : pl.ops ? "n:" + n[4] : null;
  });
  var inputOf = new Map(D.inputs.map(function (x) { return [x.value, "i:" + x.name]; }));
  var memo = new Map(), seen = new Set();
  var sources = function (v) {
    if (memo.has(v)) return memo.get(v);
    if (seen.has(v)) return [];
    var val = D.values[v], out = [];
    if (inputOf.has(v)) out = [{ unit: inputOf.get(v), value: v }];
    else if (val[0] >= 0) {
      var u = unitOf[val[0]];
      if (u) out = [{ unit: u, value: v }];
      else {
        seen.add(v);
        var inner = [];
        D.nodes[val[0]][3].forEach(function (x) { inner.push.apply(inner, sources(x)); });
        var units = new Set(inner.map(function (s) { return s.unit; }));
        var toScalar = val[2] === 0 && inner.some(function (s) { return D.values[s.value][2] > 0; });
        out = units.size === 1 && !toScalar ? [{ unit: inner[0].unit, value: v }] : inner;
      }
    }
    memo.set(v, out);
    return out;
  };
  var ownerOf = new Map();
  D.nodes.forEach(function (n) { ownerOf.set("n:" + n[4], n[0]); });
  var edges = new Map();
  var connect = function (from, to, v) {
    if (from === to) return;
    var key = from + "->" + to, e = edges.get(key);
    if (!e) { e = { from: from, to: to, shapes: [] }; edges.set(key, e); }
    var inside = from[0] === "n" && to[0] === "n" && ownerOf.get(from) === ownerOf.get(to);
    var s = D.shapes[D.values[v][1]];
    if (!inside && e.shapes.indexOf(s) < 0) e.shapes.push(s);
  };
  D.nodes.forEach(function (n, k) {
    var to = unitOf[k];
    if (to) n[3].forEach(function (x) { sources(x).forEach(function (s) { connect(s.unit, to, s.value); }); });
  });
  D.outputs.forEach(function (o) { sources(o.value).forEach(function (s) { connect(s.unit, "o:" + o.role + ":" + o.name, s.value); }); });
  var units = [];
  unitOf.forEach(function (u, k) { if (u && units.indexOf(u) < 0) units.push(u); });
  return { units: units, edges: Array.from(edges.values()) };
}
if (typeof document === "undefined") { globalThis.mmDiagramCompute = compute; return; }

var D = JSON.parse(document.getElementById("mm-data").textContent);
var I = D.instances;
var byPath = new Map(I.map(function (x, i) { return [x.p, i]; }));
var initial = I.map(function (x) { return x.s; });
var state = initial.slice();
var root = document.getElementById("diagram");
var NS = "http://www.w3.org/2000/svg";
var h = function (tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
var fmt = function (n) { return n >= 1e9 ? (n / 1e9).toFixed(2) + "B" : n >= 1e6 ? (n / 1e6).toFixed(1) + "M" : n >= 1e3 ? (n / 1e3).toFixed(1) + "K" : String(n); };
var paint = function (e, kind, training) {
  var c = D.colours.kinds[kind] || D.colours.other;
  e.style.borderColor = c.line;
  e.style.background = training === "frozen" ? D.colours.frozen : training === "partly" ? "linear-gradient(90deg," + c.fill + " 50%," + D.colours.frozen + " 50%)" : c.fill;
  if (training === "frozen") e.style.borderStyle = "dashed";
};

// The chain of open containers a unit sits in, from the model (0) down.
function chainOf(u) {
  var start = u[0] === "c" ? I[byPath.get(u.slice(2))].par : u[0] === "n" ? ownerOfNode.get(u) : 0;
  var chain = [];
  for (var p = start; p > 0; p = I[p].par) chain.unshift(p);
  chain.unshift(0);
  return chain;
}
var ownerOfNode = new Map(D.nodes.map(function (n) { return ["n:" + n[4], n[0]]; }));
var opOf = new Map(D.nodes.map(function (n) { return ["n:" + n[4], n]; }));

function draw() {
  var r = compute(D, state);
  var items = new Map(); // container -> item keys
  var add = function (c, key) { if (!items.has(c)) items.set(c, []); if (items.get(c).indexOf(key) < 0) items.get(c).push(key); };
  var itemIn = function (u, chain, depth) { return depth + 1 < chain.length ? "k:" + chain[depth + 1] : u; };
  D.inputs.forEach(function (x) { add(0, "i:" + x.name); });
  r.units.forEach(function (u) {
    var chain = chainOf(u);
    chain.forEach(function (c, d) { add(c, itemIn(u, chain, d)); });
  });
  D.outputs.forEach(function (o) { add(0, "o:" + o.role + ":" + o.name); });
  // Ranks: each edge orders two items of the deepest container holding both ends.
  var succ = new Map();
  r.edges.forEach(function (e) {
    var a = chainOf(e.from), b = chainOf(e.to), d = 0;
    while (d + 1 < a.length && d + 1 < b.length && a[d + 1] === b[d + 1]) d++;
    var x = itemIn(e.from, a, d), y = itemIn(e.to, b, d);
    if (x === y) return;
    if (!succ.has(x)) succ.set(x, []);
    succ.get(x).push(y);
  });
  var rank = new Map();
  var rankOf = function (k) { return rank.get(k) || 0; };
  items.forEach(function (keys) {
    // Longest path from the container's sources, in topological order; a back edge (a
    // cycle) does not count.
    var order = [], done = new Set(), busy = new Set();
    var visit = function (k) {
      if (done.has(k) || busy.has(k)) return;
      busy.add(k);
      (succ.get(k) || []).forEach(function (s) { if (keys.indexOf(s) >= 0) visit(s); });
      busy.delete(k); done.add(k); order.push(k);
    };
    keys.forEach(visit);
    order.reverse();
    order.forEach(function (k, at) {
      (succ.get(k) || []).forEach(function (s) { if (order.indexOf(s) > at) rank.set(s, Math.max(rankOf(s), rankOf(k) + 1)); });
    });
  });
  var top = 0;
  (items.get(0) || []).forEach(function (k) { if (k[0] !== "o") top = Math.max(top, rankOf(k) + 1); });
  (items.get(0) || []).forEach(function (k) { if (k[0] === "o") rank.set(k, top); });

  var nodes = new Map();
  var build = function (c) {
    var body = h("div", "rows"), rows = [];
    var keys = (items.get(c) || []).slice().sort(function (a, b) { return orderOf(a) - orderOf(b); });
    keys.forEach(function (k) { var r0 = rankOf(k); (rows[r0] = rows[r0] || []).push(k); });
    rows.forEach(function (row) {
      if (!row) return;
      var div = h("div", "row");
      row.forEach(function (k) { div.appendChild(itemEl(k)); });
      body.appendChild(div);
    });
    return body;
  };
  var orderOf = function (k) {
    if (k[0] === "i") return -1;
    if (k[0] === "o") return 1e9;
    if (k[0] === "k" || k[0] === "c") { var i = k[0] === "c" ? byPath.get(k.slice(2)) : +k.slice(2); return I[i].ord * 1e6 + i; }
    return 5e8 + opOf.get(k)[4];
  };
  var itemEl = function (k) {
    var e;
    if (k[0] === "k") {
      var i = +k.slice(2), x = I[i];
      e = h("div", "cluster");
      e.dataset.path = x.p;
      var head = h("div", "head");
      head.appendChild(h("b", "", x.n + ": " + x.d));
      head.appendChild(h("span", "", " " + x.kt + (x.pa ? " \u00b7 " + fmt(x.pa) + " params" : "")));
      head.title = "click to close " + x.p;
      head.addEventListener("click", function () { state[i] = 0; draw(); });
      if (x.own) {
        var b = h("button", "ops", state[i] === 2 ? "hide ops" : "ops");
        b.addEventListener("click", function (ev) { ev.stopPropagation(); state[i] = state[i] === 2 ? 1 : 2; draw(); });
        head.appendChild(b);
      }
      e.appendChild(head);
      e.appendChild(build(i));
      paint(e, x.k, x.t);
      return e;
    }
    e = h("div", "unit");
    e.dataset.unit = k;
    nodes.set(k, e);
    if (k[0] === "c") {
      var j = byPath.get(k.slice(2)), y = I[j];
      e.classList.add("box");
      e.dataset.path = y.p;
      e.appendChild(h("b", "", y.n));
      e.appendChild(h("div", "", y.d));
      e.appendChild(h("div", "small", y.kt + (y.pa ? " \u00b7 " + fmt(y.pa) + " params" : "") + (y.t === "frozen" ? " \u00b7 frozen" : y.t === "partly" ? " \u00b7 partly frozen" : "")));
      if (y.ins) { e.appendChild(h("div", "small", "contains " + y.ins)); }
      paint(e, y.k, y.t);
      if (y.ik) { e.style.borderColor = (D.colours.kinds[y.ik] || D.colours.other).line; e.style.borderWidth = "3px"; }
      if (y.kids || y.own) {
        e.classList.add("openable");
        e.title = "click to open " + y.p;
        e.addEventListener("click", function () { state[j] = y.kids ? 1 : 2; draw(); });
      }
    } else if (k[0] === "n") {
      var n = opOf.get(k);
      e.classList.add("op");
      e.appendChild(h("b", "", n[1]));
      if (n[2] >= 0) e.appendChild(h("div", "small", D.shapes[n[2]]));
    } else if (k[0] === "i") {
      var inp = D.inputs.find(function (x) { return "i:" + x.name === k; });
      e.classList.add("io");
      e.appendChild(h("b", "", inp.name));
      e.appendChild(h("div", "small", inp.shape));
    } else {
      var o = D.outputs.find(function (x) { return "o:" + x.role + ":" + x.name === k; });
      e.classList.add(o.role === "loss" ? "loss" : "io");
      e.appendChild(h("b", "", (o.role === "loss" ? "loss " : "") + o.name));
      if (o.role !== "loss") e.appendChild(h("div", "small", o.shape));
    }
    return e;
  };
  var canvas = h("div", "canvas");
  canvas.appendChild(build(0));
  root.replaceChildren(canvas);
  drawEdges(canvas, r.edges, nodes);
}

${EDGES_SCRIPT}

document.getElementById("collapse").addEventListener("click", function () { state = I.map(function (x, i) { return i === 0 ? 1 : 0; }); draw(); });
document.getElementById("expand").addEventListener("click", function () { state = I.map(function (x) { return x.kids ? 1 : 0; }); draw(); });
document.getElementById("reset").addEventListener("click", function () { state = initial.slice(); draw(); });
window.addEventListener("resize", draw);
window.mmGraph = { open: function (p, ops) { state[byPath.get(p)] = ops ? 2 : 1; draw(); }, close: function (p) { state[byPath.get(p)] = 0; draw(); }, state: function () { return state.slice(); } };
draw();
})();`;
