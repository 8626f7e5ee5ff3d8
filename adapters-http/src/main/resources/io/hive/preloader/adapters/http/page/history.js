// The page's charts of the last minutes, from GET /v1/history, drawn as inline SVG by this script alone (no library,
// nothing from elsewhere). page.js fetches the history with the rest of the API and calls renderHistory; this script
// borrows its bytes() and time() formatters. Only renderHistory is global. Text goes in through textContent only,
// never as HTML.
(() => {
  'use strict';

  const SVG = 'http://www.w3.org/2000/svg';
  const CHART = { width: 290, height: 96, top: 14, bottom: 80 };
  const HISTORY_CHARTS = [
    { id: 'hit-rate', title: 'Hit rate', kind: 'line', empty: 'no access yet', value: (p) => p.hit_rate,
      scale: () => 1, format: (v) => (100 * v).toFixed(v === 1 ? 0 : 1) + ' %', axis: () => '100 %' },
    { id: 'resident', title: 'Resident', kind: 'area', empty: 'nothing resident', value: (p) => p.resident_bytes,
      scale: (points) => Math.max(...points.map((p) => Math.max(p.budget_bytes, p.used_bytes, p.resident_bytes)), 1),
      format: (v) => bytes(v), axis: (v) => bytes(v) + ' budget', limit: (p) => p.budget_bytes },
    { id: 'load', title: 'Load from disk', kind: 'bars', empty: 'no load yet', value: (p) => p.load_gigabytes_per_second,
      scale: (points, values) => niceCeiling(Math.max(...values)), format: (v) => v.toFixed(2) + ' GB/s', axis: gigabytes },
    { id: 'transfer', title: 'Transfer to device', kind: 'bars', empty: 'no transfer yet', value: (p) => p.transfer_gigabytes_per_second,
      scale: (points, values) => niceCeiling(Math.max(...values)), format: (v) => v.toFixed(2) + ' GB/s', axis: gigabytes },
  ];

  function svg(name, attributes, parent) {
    const element = document.createElementNS(SVG, name);
    Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, String(value)));
    if (parent) parent.appendChild(element);
    return element;
  }

  function text(parent, x, y, content, cls, anchor) {
    const t = svg('text', { x, y, class: cls, 'text-anchor': anchor || 'start' }, parent);
    t.textContent = content;
    return t;
  }

  // An axis' top, a round number: 0.05, 2 or 100 GB/s.
  function gigabytes(v) {
    return Number(v.toPrecision(2)) + ' GB/s';
  }

  // 1, 2 or 5 times a power of ten, at or above the value: a y axis that reads at a glance.
  function niceCeiling(value) {
    if (!(value > 0)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value * 0.9999);
  }

  function span(seconds) {
    return seconds < 120 ? Math.round(seconds) + ' s' : Math.round(seconds / 60) + ' min';
  }

  // Runs of consecutive points with a value: a sample missed (an interval much longer than usual) breaks a run too.
  function runs(points, value, interval) {
    const all = [];
    let run = [];
    points.forEach((p) => {
      const v = value(p);
      if (v === null || v === undefined || p.seconds > 1.5 * interval) {
        if (run.length) all.push(run);
        run = [];
      }
      if (v !== null && v !== undefined) run.push(p);
    });
    if (run.length) all.push(run);
    return all;
  }

  function drawChart(chart, points, interval) {
    const figure = document.getElementById('chart-' + chart.id);
    const plot = figure.querySelector('svg');
    const { width, top, bottom } = CHART;
    const values = points.map(chart.value).filter((v) => v !== null && v !== undefined);
    const drawn = chart.kind === 'area' ? values.filter((v) => v > 0) : values;
    const t = (p) => Date.parse(p.at);
    const last = points.length ? t(points[points.length - 1]) : 0;
    const seconds = points.length ? Math.max(interval, (last - t(points[0])) / 1000) : interval;
    const x = (ms) => width - (width * (last - ms)) / (1000 * seconds);
    const max = drawn.length ? chart.scale(points, values) : 1;
    const y = (v) => bottom - ((bottom - top) * Math.min(v, max)) / max;

    const layer = svg('g', {});
    svg('line', { x1: 0, x2: width, y1: bottom, y2: bottom, class: 'axis' }, layer);
    svg('line', { x1: 0, x2: width, y1: top, y2: top, class: 'grid' }, layer);
    if (chart.kind === 'bars') {
      points.filter((p) => chart.value(p) !== null && chart.value(p) !== undefined).forEach((p) => {
        const right = x(t(p));
        const w = Math.min(12, Math.max(2, right - x(t(p) - 1000 * Math.max(p.seconds, interval)) - 1));
        const bar = svg('rect', { x: Math.max(0, right - w).toFixed(1), y: y(chart.value(p)).toFixed(1), width: w.toFixed(1),
          height: Math.max(1, bottom - y(chart.value(p))).toFixed(1), class: 'series column' }, layer);
        svg('title', {}, bar).textContent = time(p.at) + ' · ' + chart.format(chart.value(p));
      });
    } else {
      runs(points, chart.value, interval).forEach((run) => {
        const xy = run.map((p) => x(t(p)).toFixed(1) + ',' + y(chart.value(p)).toFixed(1));
        if (chart.kind === 'area' && run.length > 1) {
          svg('polygon', { points: x(t(run[0])).toFixed(1) + ',' + bottom + ' ' + xy.join(' ') + ' '
            + x(t(run[run.length - 1])).toFixed(1) + ',' + bottom, class: 'series fill' }, layer);
        }
        if (run.length > 1) {
          svg('polyline', { points: xy.join(' '), class: 'series line' }, layer);
        } else {
          const dot = svg('circle', { cx: x(t(run[0])).toFixed(1), cy: y(chart.value(run[0])).toFixed(1), r: 2.5, class: 'series dot' }, layer);
          svg('title', {}, dot).textContent = time(run[0].at) + ' · ' + chart.format(chart.value(run[0]));
        }
      });
    }
    if (chart.limit && points.length) {
      const limitY = y(chart.limit(points[points.length - 1])).toFixed(1);
      svg('line', { x1: 0, x2: width, y1: limitY, y2: limitY, class: 'limit' }, layer);
    }
    if (drawn.length) {
      text(layer, 2, top - 4, chart.axis(max), 'scale');
    } else {
      text(layer, width / 2, (top + bottom) / 2 + 4, chart.empty, 'empty', 'middle');
    }
    text(layer, 0, CHART.height - 2, '−' + span(seconds), 'tick');
    text(layer, width, CHART.height - 2, 'now', 'tick', 'end');
    plot.replaceChildren(layer);
    plot.dataset.drawn = String(drawn.length);

    const latest = points.length ? points[points.length - 1] : null;
    const shown = chart.kind === 'area'
      ? (latest ? bytes(latest.resident_bytes) + ' of ' + bytes(latest.budget_bytes) : '–')
      : (values.length ? (chart.kind === 'bars' ? 'last ' : '') + chart.format(values[values.length - 1]) : '–');
    figure.querySelector('.now').textContent = shown;
  }

  function buildCharts(section) {
    const heading = document.createElement('h2');
    heading.id = 'history-title';
    const grid = document.createElement('div');
    grid.className = 'charts';
    HISTORY_CHARTS.forEach((chart) => {
      const figure = document.createElement('figure');
      figure.id = 'chart-' + chart.id;
      figure.className = 'chart chart-' + chart.id;
      const head = document.createElement('figcaption');
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = chart.title;
      const now = document.createElement('span');
      now.className = 'now';
      head.append(label, now);
      const plot = svg('svg', { viewBox: '0 0 ' + CHART.width + ' ' + CHART.height, role: 'img', 'aria-label': chart.title });
      figure.append(head, plot);
      grid.appendChild(figure);
    });
    section.append(heading, grid);
  }

  // Called by page.js with the answer of GET /v1/history.
  window.renderHistory = function renderHistory(history) {
    const section = document.getElementById('history');
    if (!document.getElementById('history-title')) buildCharts(section);
    const points = history.points;
    const seconds = points.length > 1 ? (Date.parse(points[points.length - 1].at) - Date.parse(points[0].at)) / 1000 : 0;
    document.getElementById('history-title').textContent = 'Last ' + span(Math.max(seconds, history.interval_seconds))
      + ' · a sample every ' + history.interval_seconds + ' s';
    HISTORY_CHARTS.forEach((chart) => drawChart(chart, points, history.interval_seconds));
    section.hidden = false;
  };
})();
