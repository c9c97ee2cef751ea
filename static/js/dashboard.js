// Dashboards: refresh the figures every few seconds from the JSON endpoint, sort the table, draw the chart.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) return;
  var url = root.getAttribute("data-json-url");
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var nf = new Intl.NumberFormat("vi-VN");
  var df = new Intl.NumberFormat("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var pf = new Intl.NumberFormat("vi-VN", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var sortKey = "rank", sortDesc = false, chart = null;

  function pick(obj, path) { return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, obj); }
  function show(value, format) {
    if (value == null) return "–";
    if (format === "int") return nf.format(value);
    if (format === "dec") return df.format(value);
    if (format === "pct") return pf.format(value * 100) + "%";
    return String(value);
  }

  function render() {
    root.querySelectorAll("[data-field]").forEach(function (el) {
      var value = pick(data, el.getAttribute("data-field"));
      if (el.getAttribute("data-field") === "totals.communes_with_participants") {
        el.textContent = value + "/" + data.totals.communes; return;
      }
      el.textContent = show(value, el.getAttribute("data-format"));
    });
    var degraded = root.querySelector("[data-degraded]");
    if (degraded) degraded.hidden = !data.degraded;
    renderLists();
    renderTable();
    renderChart();
  }

  function byCode(code) { return data.rows.filter(function (r) { return r.code === code; })[0]; }
  function renderLists() {
    ["top", "bottom"].forEach(function (name) {
      var list = root.querySelector("[data-list='" + name + "']");
      if (!list || !data[name]) return;
      list.textContent = "";
      data[name].forEach(function (code) {
        var row = byCode(code), li = document.createElement("li");
        li.textContent = row.name + " – " + nf.format(row.registered);
        list.appendChild(li);
      });
    });
  }

  function renderTable() {
    var table = document.getElementById("commune-table");
    if (!table || !data.rows) return;
    var rows = data.rows.slice().sort(function (a, b) {
      var x = a[sortKey], y = b[sortKey];
      if (x == null) return 1; if (y == null) return -1;
      var cmp = typeof x === "string" ? x.localeCompare(y, "vi") : x - y;
      return sortDesc ? -cmp : cmp;
    });
    var communeUrl = table.getAttribute("data-commune-url");
    var body = table.tBodies[0];
    body.textContent = "";
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      [[r.rank, "num"], [r.name, ""], [r.kind, ""], [nf.format(r.registered), "num"], [nf.format(r.completed), "num"],
       [show(r.completion_rate, "pct"), "num"], [show(r.average_score, "dec"), "num"], [nf.format(r.passed), "num"],
       [show(r.population_share, "pct"), "num"]].forEach(function (cell) {
        var td = document.createElement("td");
        if (cell[1]) td.className = cell[1];
        if (cell[0] === r.name && communeUrl) {
          var link = document.createElement("a");
          link.href = communeUrl + (communeUrl.indexOf("?") < 0 ? "?" : "&") + "xa=" + encodeURIComponent(r.code);
          link.textContent = r.name;
          td.appendChild(link);
        } else {
          td.textContent = cell[0];
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function renderChart() {
    var canvas = document.getElementById("daily-chart");
    if (!canvas || !window.Chart || !data.daily) return;
    var labels = data.daily.map(function (d) { return d[0].split("-").reverse().join("/"); });
    var regs = data.daily.map(function (d) { return d[1]; }), done = data.daily.map(function (d) { return d[2]; });
    if (chart) {
      chart.data.labels = labels; chart.data.datasets[0].data = regs; chart.data.datasets[1].data = done;
      chart.update("none"); return;
    }
    chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [
        { label: "Đăng ký", data: regs, backgroundColor: "#0b5cad" },
        { label: "Hoàn thành", data: done, backgroundColor: "#1b6e2a" }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 locale: "vi-VN", scales: { y: { beginAtZero: true } } }
    });
  }

  function renderScoreChart() {
    var canvas = document.getElementById("score-chart");
    if (!canvas || !window.Chart) return;
    var pairs = JSON.parse(canvas.getAttribute("data-scores") || "[]");
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: pairs.map(function (p) { return String(p[0]); }),
              datasets: [{ label: "Số người (theo điểm cao nhất)", data: pairs.map(function (p) { return p[1]; }),
                           backgroundColor: "#0b5cad" }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, locale: "vi-VN",
                 scales: { x: { title: { display: true, text: "Điểm" } }, y: { beginAtZero: true } } }
    });
  }

  var table = document.getElementById("commune-table");
  if (table) table.tHead.addEventListener("click", function (event) {
    var key = event.target.getAttribute("data-sort");
    if (!key) return;
    sortDesc = key === sortKey ? !sortDesc : key !== "rank" && key !== "name" && key !== "kind";
    sortKey = key;
    renderTable();
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fresh) { if (fresh) { data = fresh; render(); } })
      .catch(function () { /* offline: keep the last figures */ });
  }
  render();
  renderScoreChart();
  setInterval(refresh, 5000);
})();
