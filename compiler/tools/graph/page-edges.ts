// The edges of the interactive diagram page, as script text (spliced into page-script.ts):
// drawn in SVG under the boxes and over the clusters, once the browser has laid the boxes
// out. Each box spreads the ends of its edges along its top (outgoing) and bottom
// (incoming) side in the order of the other ends, so edges into one box do not share a
// point; an edge whose straight line would cross another box goes round the boxes in its
// way, on the nearer side.

export const EDGES_SCRIPT = String.raw`function drawEdges(canvas, edges, nodes) {
  var svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "edges");
  svg.setAttribute("width", canvas.scrollWidth);
  svg.setAttribute("height", canvas.scrollHeight);
  svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#4b5563"/></marker></defs>';
  var base = canvas.getBoundingClientRect();
  var rects = new Map();
  nodes.forEach(function (el, id) {
    var r = el.getBoundingClientRect();
    rects.set(id, { left: r.left - base.left, right: r.right - base.left, top: r.top - base.top, bottom: r.bottom - base.top });
  });
  var mid = function (r) { return (r.left + r.right) / 2; };
  var live = edges.filter(function (e) { return rects.has(e.from) && rects.has(e.to); });
  // Ports: where each edge leaves its source and enters its target.
  var ports = new Map();
  var spread = function (id, list, other) {
    var r = rects.get(id);
    list.sort(function (a, b) { return mid(rects.get(other(a))) - mid(rects.get(other(b))); });
    list.forEach(function (e, i) { ports.set(e.from + "->" + e.to + (other(e) === e.to ? ":out" : ":in"), r.left + (r.right - r.left) * (i + 1) / (list.length + 1)); });
  };
  var outs = new Map(), ins = new Map();
  live.forEach(function (e) {
    if (!outs.has(e.from)) outs.set(e.from, []);
    if (!ins.has(e.to)) ins.set(e.to, []);
    outs.get(e.from).push(e); ins.get(e.to).push(e);
  });
  outs.forEach(function (list, id) { spread(id, list, function (e) { return e.to; }); });
  ins.forEach(function (list, id) { spread(id, list, function (e) { return e.from; }); });
  // The boxes a vertical band between two heights crosses, other than the edge's own.
  var blocking = function (e, x1, x2, yTop, yBottom) {
    var lo = Math.min(x1, x2) - 6, hi = Math.max(x1, x2) + 6, hit = [];
    rects.forEach(function (r, id) {
      if (id === e.from || id === e.to) return;
      if (r.bottom > yTop && r.top < yBottom && r.right > lo && r.left < hi) hit.push(r);
    });
    return hit;
  };
  live.forEach(function (e) {
    var ra = rects.get(e.from), rb = rects.get(e.to);
    var x1 = ports.get(e.from + "->" + e.to + ":out"), y1 = ra.top, x2 = ports.get(e.from + "->" + e.to + ":in"), y2 = rb.bottom;
    var d, lx, ly;
    var hit = y1 > y2 ? blocking(e, x1, x2, y2, y1) : [];
    if (hit.length) {
      var right = Math.max.apply(null, hit.map(function (r) { return r.right; })) + 14;
      var left = Math.min.apply(null, hit.map(function (r) { return r.left; })) - 14;
      var sx = Math.abs(right - x1) + Math.abs(right - x2) <= Math.abs(left - x1) + Math.abs(left - x2) ? right : left;
      var top = Math.min.apply(null, hit.map(function (r) { return r.top; })), bottom = Math.max.apply(null, hit.map(function (r) { return r.bottom; }));
      var yb = Math.min(y1 - 8, bottom + 12), yt = Math.max(y2 + 8, top - 12);
      d = "M" + x1 + "," + y1 + " C" + x1 + "," + yb + " " + sx + "," + (yb + 8) + " " + sx + "," + yb
        + " L" + sx + "," + yt + " C" + sx + "," + (yt - 8) + " " + x2 + "," + yt + " " + x2 + "," + y2;
      lx = sx + 4; ly = (yb + yt) / 2;
    } else {
      var dy = Math.max(20, Math.abs(y1 - y2) / 2);
      d = "M" + x1 + "," + y1 + " C" + x1 + "," + (y1 - dy) + " " + x2 + "," + (y2 + dy) + " " + x2 + "," + y2;
      lx = (x1 + x2) / 2 + 4; ly = (y1 + y2) / 2 + 3;
    }
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    path.setAttribute("marker-end", "url(#arrow)");
    path.dataset.edge = e.from + "->" + e.to;
    var shapes = e.shapes.length > 3 ? e.shapes.slice(0, 3).concat(["+" + (e.shapes.length - 3) + " more"]) : e.shapes;
    path.dataset.label = shapes.join("; ");
    svg.appendChild(path);
    if (shapes.length) {
      var t = document.createElementNS(NS, "text");
      t.setAttribute("x", lx);
      t.setAttribute("y", ly);
      t.textContent = shapes.join("; ");
      svg.appendChild(t);
    }
  });
  canvas.appendChild(svg);
}`;
