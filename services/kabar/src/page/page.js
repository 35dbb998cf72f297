"use strict";
// kabar's live page: reads /metrics (Prometheus text) and /status (JSON) every few seconds and
// shows them. No libraries and nothing from elsewhere, so it works offline. The functions that
// turn data into figures are pure and exposed as window.kabarPage for the browser test.
(function () {
  const page = {};
  const DASH = "\u2013";
  const HISTORY_SECONDS = 300;
  const RATE_WINDOW_SECONDS = 10;

  // ---- Prometheus text format -------------------------------------------------------------

  function parseNumber(text) {
    if (text === "+Inf" || text === "Inf") return Infinity;
    if (text === "-Inf") return -Infinity;
    if (text === "NaN") return NaN;
    return Number(text);
  }

  // Every sample of a page: [{name, labels: {..}, value}].
  page.parseMetrics = function (text) {
    const samples = [];
    for (const raw of String(text).split("\n")) {
      const line = raw.trim();
      if (line === "" || line[0] === "#") continue;
      let i = 0;
      while (i < line.length && /[A-Za-z0-9_:]/.test(line[i])) i++;
      const name = line.slice(0, i);
      const labels = {};
      if (line[i] === "{") {
        i++;
        while (i < line.length && line[i] !== "}") {
          let j = i;
          while (j < line.length && /[A-Za-z0-9_]/.test(line[j])) j++;
          const label = line.slice(i, j);
          j = line.indexOf('"', j) + 1;
          if (j === 0) break;
          let value = "";
          while (j < line.length && line[j] !== '"') {
            if (line[j] === "\\" && j + 1 < line.length) {
              j++;
              value += line[j] === "n" ? "\n" : line[j];
            } else {
              value += line[j];
            }
            j++;
          }
          labels[label] = value;
          j++;
          while (j < line.length && (line[j] === "," || line[j] === " ")) j++;
          i = j;
        }
        i++;
      }
      const fields = line.slice(i).trim().split(/\s+/);
      if (name === "" || fields[0] === "") continue;
      samples.push({ name: name, labels: labels, value: parseNumber(fields[0]) });
    }
    return samples;
  };

  function matching(samples, name, match) {
    return samples.filter(function (s) {
      if (s.name !== name) return false;
      for (const key in match || {}) if (s.labels[key] !== match[key]) return false;
      return true;
    });
  }

  page.sum = function (samples, name, match) {
    return matching(samples, name, match).reduce(function (a, s) { return a + s.value; }, 0);
  };

  page.has = function (samples, name) {
    return samples.some(function (s) { return s.name === name; });
  };

  // A histogram's buckets (cumulative, by upper bound), count and sum.
  page.histogram = function (samples, name, match) {
    const buckets = matching(samples, name + "_bucket", match)
      .map(function (s) { return { le: parseNumber(s.labels.le), count: s.value }; })
      .sort(function (a, b) { return a.le - b.le; });
    return {
      buckets: buckets,
      count: page.sum(samples, name + "_count", match),
      sum: page.sum(samples, name + "_sum", match),
    };
  };

  // The q-quantile of cumulative buckets, interpolated as Prometheus' histogram_quantile does.
  page.quantile = function (q, buckets) {
    if (buckets.length < 2 || buckets[buckets.length - 1].le !== Infinity) return NaN;
    const observations = buckets[buckets.length - 1].count;
    if (!(observations > 0)) return NaN;
    let rank = q * observations;
    let b = 0;
    while (b < buckets.length - 1 && buckets[b].count < rank) b++;
    if (b === buckets.length - 1) return buckets[buckets.length - 2].le;
    if (b === 0 && buckets[0].le <= 0) return buckets[0].le;
    const start = b === 0 ? 0 : buckets[b - 1].le;
    const end = buckets[b].le;
    let count = buckets[b].count;
    if (b > 0) {
      count -= buckets[b - 1].count;
      rank -= buckets[b - 1].count;
    }
    return start + (end - start) * (rank / count);
  };

  // ---- Formatting -------------------------------------------------------------------------

  const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  page.formatCount = function (n) {
    return Number.isFinite(n) ? integer.format(n) : DASH;
  };

  page.formatRate = function (n) {
    if (!Number.isFinite(n)) return DASH;
    return n >= 100 ? integer.format(n) : oneDecimal.format(n);
  };

  page.formatMillis = function (seconds) {
    if (!Number.isFinite(seconds)) return DASH;
    const ms = seconds * 1000;
    if (ms >= 1000) return oneDecimal.format(ms / 1000) + " s";
    if (ms >= 10) return integer.format(ms) + " ms";
    return (Math.round(ms * 100) / 100).toFixed(2) + " ms";
  };

  page.formatBytes = function (n) {
    if (!Number.isFinite(n)) return DASH;
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let unit = 0;
    while (n >= 1024 && unit < units.length - 1) {
      n /= 1024;
      unit++;
    }
    return (unit === 0 ? integer.format(n) : oneDecimal.format(n)) + " " + units[unit];
  };

  page.formatDuration = function (seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return DASH;
    seconds = Math.round(seconds);
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + m + "m";
    if (m > 0) return m + "m " + s + "s";
    return s + "s";
  };

  // ---- /status ----------------------------------------------------------------------------

  function text(value) {
    if (value === undefined || value === null || value === "") return DASH;
    if (Array.isArray(value)) return value.length ? value.map(text).join(", ") : DASH;
    return String(value);
  }

  // The facts of a /status answer, in order: [{key, label, text}]. Anything missing (or no
  // answer at all: `status` null) is a dash.
  page.statusFacts = function (status) {
    const s = status && typeof status === "object" ? status : {};
    const routes = s.routes && typeof s.routes === "object" ? s.routes : null;
    const reload = s.lastReload && typeof s.lastReload === "object" ? s.lastReload : null;
    const input = s.input && typeof s.input === "object" ? s.input : null;
    let ready = DASH;
    if (s.ready === true) ready = "yes";
    if (s.ready === false) {
      const reasons = Array.isArray(s.notReadyReasons) ? s.notReadyReasons : [];
      ready = "no" + (reasons.length ? ": " + reasons.join("; ") : "");
    }
    let reloadText = DASH;
    if (reload) {
      reloadText = text(reload.result) + " at " + text(reload.at);
      if (Array.isArray(reload.errors) && reload.errors.length) {
        reloadText += ": " + reload.errors.join("; ");
      }
    }
    return [
      { key: "version", label: "version", text: text(s.version) },
      { key: "revision", label: "revision", text: text(s.revision) },
      { key: "startedAt", label: "started", text: text(s.startedAt) },
      {
        key: "uptime",
        label: "uptime",
        text: typeof s.uptimeSeconds === "number" ? page.formatDuration(s.uptimeSeconds) : DASH,
      },
      { key: "mode", label: "mode", text: text(s.mode) },
      { key: "delivery", label: "delivery", text: text(s.delivery) },
      { key: "ready", label: "ready", text: ready },
      { key: "group", label: "consumer group", text: text(s.group) },
      { key: "inputTopics", label: "input topics", text: text(s.inputTopics) },
      { key: "inFlight", label: "in flight", text: text(s.inFlight) },
      {
        key: "routes",
        label: "routes",
        text: routes
          ? text(routes.count) + " from " + text(routes.source) + ", loaded " + text(routes.loadedAt)
          : DASH,
      },
      { key: "routesDigest", label: "routes digest", text: text(routes && routes.digest) },
      { key: "lastReload", label: "last reload", text: reloadText },
      { key: "lastCommitAt", label: "last commit", text: text(s.lastCommitAt) },
      {
        key: "input",
        label: "input",
        text: input
          ? text(input.path) + ": " + text(input.done) + " of " + text(input.total) + " files"
          : DASH,
      },
    ];
  };

  // Writes the facts of `status` (or dashes for null) into the status card and the header.
  page.renderStatus = function (status) {
    const facts = page.statusFacts(status);
    const list = document.getElementById("status");
    list.textContent = "";
    for (const fact of facts) {
      const dt = document.createElement("dt");
      dt.textContent = fact.label;
      const dd = document.createElement("dd");
      dd.textContent = fact.text;
      dd.dataset.fact = fact.key;
      list.append(dt, dd);
    }
    return facts;
  };

  // ---- The live figures -------------------------------------------------------------------

  const history = []; // [{t, inTotal, outTotal, deadTotal, dead: {key: n}, out: {topic: n}}]

  function rateOf(pick, now) {
    const latest = history[history.length - 1];
    let base = null;
    for (const sample of history) {
      if (sample !== latest && now - sample.t <= RATE_WINDOW_SECONDS * 1000 + 500) {
        base = sample;
        break;
      }
    }
    if (!base) {
      // Fewer than two samples in the window: the two latest, however far apart.
      if (history.length < 2) return NaN;
      base = history[history.length - 2];
    }
    const seconds = (latest.t - base.t) / 1000;
    if (seconds <= 0) return NaN;
    const delta = (pick(latest) || 0) - (pick(base) || 0);
    return delta < 0 ? 0 : delta / seconds; // a restart resets the counters
  }

  function setFigure(name, value, shown) {
    for (const el of document.querySelectorAll('[data-figure="' + name + '"]')) {
      el.dataset.value = Number.isFinite(value) ? String(value) : "";
      el.textContent = shown;
    }
  }

  function setStatusText(name, shown) {
    for (const el of document.querySelectorAll('[data-status="' + name + '"]')) {
      el.textContent = shown;
    }
  }

  function cell(content, className) {
    const td = document.createElement("td");
    td.textContent = content;
    if (className) td.className = className;
    return td;
  }

  function numberCell(figure, value, shown) {
    const td = cell(shown, "n");
    td.dataset.figure = figure;
    td.dataset.value = Number.isFinite(value) ? String(value) : "";
    return td;
  }

  function fillTable(id, rows, emptyText, columns) {
    const body = document.getElementById(id);
    body.textContent = "";
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = cell(emptyText, "dim");
      td.colSpan = columns;
      tr.append(td);
      body.append(tr);
      return;
    }
    for (const row of rows) body.append(row);
  }

  function fillBars(id, entries, emptyText) {
    const box = document.getElementById(id);
    box.textContent = "";
    const total = entries.reduce(function (a, e) { return a + e.value; }, 0);
    if (total === 0) {
      const p = document.createElement("p");
      p.className = "dim";
      p.textContent = emptyText;
      box.append(p);
      return;
    }
    const max = Math.max.apply(null, entries.map(function (e) { return e.value; }));
    for (const entry of entries) {
      const row = document.createElement("div");
      row.className = "bar";
      row.dataset.key = entry.key;
      const label = document.createElement("span");
      label.textContent = entry.key;
      const track = document.createElement("span");
      track.className = "track";
      const fill = document.createElement("span");
      fill.className = "fill";
      fill.style.display = "block";
      fill.style.width = ((100 * entry.value) / max).toFixed(1) + "%";
      track.append(fill);
      const count = document.createElement("span");
      count.className = "count";
      count.dataset.figure = "count";
      count.dataset.value = String(entry.value);
      count.textContent =
        page.formatCount(entry.value) + " \u00b7 " + Math.round((100 * entry.value) / total) + "%";
      row.append(label, track, count);
      box.append(row);
    }
  }

  function byLabel(samples, name, label) {
    const out = {};
    for (const s of samples) {
      if (s.name === name) out[s.labels[label]] = (out[s.labels[label]] || 0) + s.value;
    }
    return out;
  }

  // Each point: the rate over the few seconds before it, so that a poll's jitter does not
  // show as a zig-zag.
  const CHART_SMOOTHING_SECONDS = 5;

  function drawChart(now) {
    const points = [];
    let from = 0;
    for (let i = 1; i < history.length; i++) {
      const b = history[i];
      while (from < i - 1 && b.t - history[from + 1].t >= CHART_SMOOTHING_SECONDS * 1000) from++;
      const a = history[from];
      const seconds = (b.t - a.t) / 1000;
      if (seconds <= 0) continue;
      points.push({
        t: b.t,
        in: Math.max(0, b.inTotal - a.inTotal) / seconds,
        out: Math.max(0, b.outTotal - a.outTotal) / seconds,
      });
    }
    const max = Math.max(1, ...points.map(function (p) { return Math.max(p.in, p.out); }));
    const x = function (t) { return (600 * (t - (now - HISTORY_SECONDS * 1000))) / (HISTORY_SECONDS * 1000); };
    const y = function (v) { return 115 - (110 * v) / max; };
    const line = function (key) {
      return points.map(function (p) { return x(p.t).toFixed(1) + "," + y(p[key]).toFixed(1); }).join(" ");
    };
    document.getElementById("chart-in").setAttribute("points", line("in"));
    document.getElementById("chart-out").setAttribute("points", line("out"));
    document.getElementById("chart-max").textContent = "top of chart: " + page.formatRate(max) + "/s";
  }

  page.render = function (samples, status, now) {
    const inTotal = page.sum(samples, "kabar_messages_consumed_total");
    const outTotal = page.sum(samples, "kabar_messages_produced_total");
    const deadTotal = page.sum(samples, "kabar_dead_letters_total");
    const dead = {};
    for (const s of matching(samples, "kabar_dead_letters_total")) {
      dead[s.labels.stage + "/" + s.labels.code] = s.value;
    }
    const out = byLabel(samples, "kabar_messages_produced_total", "topic");
    history.push({ t: now, inTotal: inTotal, outTotal: outTotal, deadTotal: deadTotal, dead: dead, out: out });
    while (history.length > 2 && now - history[0].t > HISTORY_SECONDS * 1000) history.shift();

    const inRate = rateOf(function (h) { return h.inTotal; }, now);
    const outRate = rateOf(function (h) { return h.outTotal; }, now);
    const deadRate = rateOf(function (h) { return h.deadTotal; }, now);
    setFigure("in-total", inTotal, page.formatCount(inTotal));
    setFigure("in-rate", inRate, page.formatRate(inRate));
    setFigure("out-total", outTotal, page.formatCount(outTotal));
    setFigure("out-rate", outRate, page.formatRate(outRate));
    setFigure("dead-total", deadTotal, page.formatCount(deadTotal));
    setFigure("dead-rate", deadRate, page.formatRate(deadRate));
    const share = inTotal > 0 ? deadTotal / inTotal : NaN;
    setFigure("dead-share", share, Number.isFinite(share) ? oneDecimal.format(100 * share) + "%" : DASH);

    const lags = matching(samples, "kabar_consumer_lag");
    const lagTotal = lags.reduce(function (a, s) { return a + s.value; }, 0);
    setFigure("lag-total", lags.length ? lagTotal : NaN, lags.length ? page.formatCount(lagTotal) : DASH);
    setFigure("lag-partitions", lags.length, lags.length === 1 ? "1 partition" : lags.length + " partitions");
    const inFlight = page.has(samples, "kabar_in_flight_articles")
      ? page.sum(samples, "kabar_in_flight_articles")
      : NaN;
    setFigure("in-flight", inFlight, page.formatCount(inFlight));

    const e2e = page.histogram(samples, "kabar_end_to_end_latency_seconds");
    const p50 = page.quantile(0.5, e2e.buckets);
    const p95 = page.quantile(0.95, e2e.buckets);
    setFigure("e2e-p50", p50 * 1000, page.formatMillis(p50));
    setFigure("e2e-p95", p95 * 1000, page.formatMillis(p95));

    // Dead letters by code: the codes seen, most first.
    const deadRows = matching(samples, "kabar_dead_letters_total")
      .filter(function (s) { return s.value > 0; })
      .sort(function (a, b) { return b.value - a.value; })
      .map(function (s) {
        const key = s.labels.stage + "/" + s.labels.code;
        const tr = document.createElement("tr");
        tr.className = "bad";
        tr.dataset.stage = s.labels.stage;
        tr.dataset.code = s.labels.code;
        const rate = rateOf(function (h) { return h.dead[key]; }, now);
        tr.append(
          cell(s.labels.stage),
          cell(s.labels.code),
          numberCell("count", s.value, page.formatCount(s.value)),
          numberCell("rate", rate, page.formatRate(rate))
        );
        return tr;
      });
    fillTable("dead-letters", deadRows, "none", 4);

    // Consumer lag per partition, with /status's offsets where it gives them.
    const offsets = {};
    if (status && Array.isArray(status.partitions)) {
      for (const p of status.partitions) offsets[p.topic + "/" + p.partition] = p;
    }
    const lagRows = lags
      .slice()
      .sort(function (a, b) {
        return a.labels.topic.localeCompare(b.labels.topic) || a.labels.partition - b.labels.partition;
      })
      .map(function (s) {
        const known = offsets[s.labels.topic + "/" + s.labels.partition] || {};
        const tr = document.createElement("tr");
        tr.dataset.topic = s.labels.topic;
        tr.dataset.partition = s.labels.partition;
        tr.append(
          cell(s.labels.topic),
          cell(s.labels.partition, "n"),
          numberCell("lag", s.value, page.formatCount(s.value)),
          numberCell("committed", Number(known.committedOffset), text(known.committedOffset)),
          numberCell("end", Number(known.endOffset), text(known.endOffset))
        );
        return tr;
      });
    fillTable("lag", lagRows, "no partitions assigned", 5);

    // Stage latency from the stage histograms.
    // In the pipeline's order; a stage this page does not know goes last.
    const order = ["decode", "clean", "lang", "entities", "route"];
    const rank = function (stage) {
      const at = order.indexOf(stage);
      return at < 0 ? order.length : at;
    };
    const stages = matching(samples, "kabar_stage_duration_seconds_count")
      .map(function (s) { return s.labels.stage; })
      .sort(function (a, b) { return rank(a) - rank(b) || a.localeCompare(b); });
    const stageRows = stages.map(function (stage) {
      const h = page.histogram(samples, "kabar_stage_duration_seconds", { stage: stage });
      const tr = document.createElement("tr");
      tr.dataset.stage = stage;
      tr.append(cell(stage));
      for (const q of [0.5, 0.95, 0.99]) {
        const v = page.quantile(q, h.buckets);
        tr.append(numberCell("p" + Math.round(q * 100), v * 1000, page.formatMillis(v)));
      }
      tr.append(numberCell("count", h.count, page.formatCount(h.count)));
      return tr;
    });
    fillTable("stages", stageRows, "no stages yet", 5);

    const outRows = Object.keys(out)
      .sort()
      .map(function (topic) {
        const tr = document.createElement("tr");
        tr.dataset.topic = topic;
        const rate = rateOf(function (h) { return h.out[topic]; }, now);
        tr.append(
          cell(topic),
          numberCell("count", out[topic], page.formatCount(out[topic])),
          numberCell("rate", rate, page.formatRate(rate))
        );
        return tr;
      });
    fillTable("outputs", outRows, "none yet", 3);

    const entries = function (name, label) {
      const map = byLabel(samples, name, label);
      return Object.keys(map)
        .map(function (key) { return { key: key, value: map[key] }; })
        .filter(function (e) { return e.value > 0; })
        .sort(function (a, b) { return b.value - a.value || a.key.localeCompare(b.key); });
    };
    fillBars("languages", entries("kabar_articles_total", "language"), "none yet");
    fillBars("entities", entries("kabar_entities_total", "type"), "none yet");

    // File mode: progress through the input.
    const files = page.sum(samples, "kabar_input_files");
    const section = document.getElementById("input");
    section.hidden = !(files > 0);
    if (files > 0) {
      const filesDone = page.sum(samples, "kabar_input_files_done");
      const bytes = page.sum(samples, "kabar_input_bytes");
      const bytesDone = page.sum(samples, "kabar_input_bytes_done");
      const fraction = bytes > 0 ? Math.min(1, bytesDone / bytes) : filesDone / files;
      setFigure("input-files", files, page.formatCount(files));
      setFigure("input-files-done", filesDone, page.formatCount(filesDone));
      setFigure("input-bytes", bytes, page.formatBytes(bytes));
      setFigure("input-bytes-done", bytesDone, page.formatBytes(bytesDone));
      setFigure("input-percent", 100 * fraction, Math.floor(100 * fraction) + "%");
      document.getElementById("input-bar").style.width = (100 * fraction).toFixed(1) + "%";
      history[history.length - 1].bytesDone = bytesDone;
      const byteRate = rateOf(function (h) { return h.bytesDone; }, now);
      const left = byteRate > 0 ? (bytes - bytesDone) / byteRate : NaN;
      setFigure(
        "input-eta",
        left,
        bytesDone >= bytes ? "done" : Number.isFinite(left) ? "about " + page.formatDuration(left) + " left" : DASH
      );
      setStatusText("input-path", status && status.input ? text(status.input.path) : "");
    }

    // The header: /status where it answers, the metrics otherwise.
    const built = matching(samples, "kabar_build_info")[0];
    const version = status && status.version ? status.version : built ? built.labels.version : DASH;
    setStatusText("version", version);
    setStatusText("revision", status && status.revision ? status.revision : "");
    setStatusText(
      "uptime",
      status && typeof status.uptimeSeconds === "number" ? page.formatDuration(status.uptimeSeconds) : DASH
    );
    const fileMode = files > 0 || matching(samples, "kabar_messages_consumed_total", { topic: "file" }).length > 0;
    const mode = status && status.mode ? status.mode : fileMode ? "files" : "kafka";
    const modeBadge = document.querySelector('[data-status="mode"]');
    modeBadge.textContent = mode;
    modeBadge.dataset.value = mode;
    const readyMetric = page.has(samples, "kabar_ready") ? page.sum(samples, "kabar_ready") === 1 : null;
    const ready = status && typeof status.ready === "boolean" ? status.ready : readyMetric;
    const badge = document.getElementById("ready");
    badge.textContent = ready === null ? DASH : ready ? "ready" : "not ready";
    badge.dataset.value = ready === null ? "" : String(ready);
    badge.className = "badge " + (ready === null ? "" : ready ? "ok" : "bad");
    page.renderStatus(status);
    drawChart(now);
  };

  // ---- Polling ----------------------------------------------------------------------------

  const params = new URLSearchParams(window.location.search);
  const interval = Math.max(250, Number(params.get("interval")) || 2000);
  let lastSuccess = null;

  function connection(ok, message) {
    const el = document.getElementById("connection");
    el.textContent = message;
    el.className = "meta" + (ok ? "" : " bad");
    document.body.classList.toggle("stale", !ok);
  }

  async function poll() {
    const now = Date.now();
    try {
      const response = await fetch("metrics", { cache: "no-store" });
      if (!response.ok) throw new Error("/metrics answered " + response.status);
      const text = await response.text();
      let status = null;
      try {
        const answer = await fetch("status", { cache: "no-store" });
        if (answer.ok) status = await answer.json();
      } catch (ignored) {
        status = null; // no /status (yet): its facts show as dashes
      }
      page.render(page.parseMetrics(text), status, now);
      lastSuccess = new Date(now);
      page.polls = (page.polls || 0) + 1;
      connection(true, "updated " + lastSuccess.toLocaleTimeString());
    } catch (error) {
      connection(
        false,
        "kabar is not answering" + (lastSuccess ? " since " + lastSuccess.toLocaleTimeString() : "")
      );
    }
    window.setTimeout(poll, interval);
  }

  window.kabarPage = page;
  document.getElementById("interval").textContent = String(interval / 1000);
  page.renderStatus(null);
  poll();
})();
