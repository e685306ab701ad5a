(function () {
  "use strict";
  var KINDS = { risk_alert: "风险预警", red_letter_form: "红字确认单待确认", ticket_reply: "留言回复", approval: "审批待处理" };
  var WAYS = ["app", "wechat", "email", "sms"];
  var WAY_NAMES = { app: "站内", wechat: "微信", email: "邮件", sms: "短信" };
  var api = window.KaipiaoPage.api;
  function $(id) { return document.getElementById(id); }

  function showSettings(s) {
    var rows = $("ways");
    rows.textContent = "";
    Object.keys(KINDS).forEach(function (kind) {
      var tr = document.createElement("tr");
      var th = document.createElement("td");
      th.textContent = KINDS[kind];
      tr.appendChild(th);
      WAYS.forEach(function (way) {
        var td = document.createElement("td");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.dataset.kind = kind;
        box.dataset.way = way;
        box.checked = (s.ways[kind] || []).indexOf(way) >= 0;
        box.setAttribute("aria-label", KINDS[kind] + "：" + WAY_NAMES[way]);
        td.appendChild(box);
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    $("quiet-on").checked = !!s.quiet_from;
    if (s.quiet_from) { $("quiet-from").value = s.quiet_from; $("quiet-to").value = s.quiet_to; }
  }

  // The quiet hours are typed in 24-hour time: "2200", "22.00", "22：00" and "7:30" are read
  // as 22:00 and 07:30; anything else goes as typed and the app says what is wrong with it.
  var CLOCK_FIELDS = { quiet_from: ["quiet-from", "开始时间"], quiet_to: ["quiet-to", "结束时间"] };
  function clockText(text) {
    var m = /^\s*(\d{1,2})\s*[:：.]?\s*(\d{2})\s*$/.exec(text);
    return m ? ("0" + m[1]).slice(-2) + ":" + m[2] : text.trim();
  }
  Object.keys(CLOCK_FIELDS).forEach(function (field) {
    var input = $(CLOCK_FIELDS[field][0]);
    input.addEventListener("change", function () { input.value = clockText(input.value); input.removeAttribute("aria-invalid"); });
  });

  $("settings-form").addEventListener("submit", function (e) {
    e.preventDefault();
    Object.keys(CLOCK_FIELDS).forEach(function (field) {
      var input = $(CLOCK_FIELDS[field][0]);
      input.value = clockText(input.value);
      input.removeAttribute("aria-invalid");
    });
    var ways = {};
    Object.keys(KINDS).forEach(function (kind) { ways[kind] = []; });
    document.querySelectorAll("#ways input").forEach(function (box) { if (box.checked) ways[box.dataset.kind].push(box.dataset.way); });
    var body = { ways: ways };
    if ($("quiet-on").checked) { body.quiet_from = $("quiet-from").value; body.quiet_to = $("quiet-to").value; }
    api("PUT", "/api/v1/notification-settings", body)
      .then(function (s) { showSettings(s); $("settings-status").textContent = "已保存。"; })
      .catch(function (err) {
        var clock = CLOCK_FIELDS[err.field];
        $("settings-status").textContent = clock ? clock[1] + "：" + err.message : err.message;
        if (clock) { $(clock[0]).setAttribute("aria-invalid", "true"); $(clock[0]).focus(); }
      });
  });

  function showList(page) {
    var list = $("list");
    list.textContent = "";
    $("empty").hidden = page.items.length > 0;
    page.items.forEach(function (n) {
      var li = document.createElement("li");
      li.className = n.read ? "" : "unread";
      var title = document.createElement("strong");
      title.textContent = n.title;
      var body = document.createElement("p");
      body.textContent = n.body;
      var when = document.createElement("time");
      when.textContent = new Date(n.created_at).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" });
      li.appendChild(title); li.appendChild(body); li.appendChild(when);
      if (!n.read) {
        var mark = document.createElement("button");
        mark.type = "button";
        mark.textContent = "标为已读";
        mark.addEventListener("click", function () { api("POST", "/api/v1/notifications/" + n.id + "/read").then(loadList); });
        li.appendChild(mark);
      }
      list.appendChild(li);
    });
  }

  function loadList() { return api("GET", "/api/v1/notifications?size=50").then(showList); }

  window.KaipiaoPage.signIn("kaipiao-notifications-token", function () {
    api("GET", "/api/v1/notification-settings").then(showSettings).catch(function () {});
    loadList().catch(function () {});
  });
  // New notifications appear without reloading the page.
  setInterval(function () { if (window.KaipiaoPage.signedIn()) loadList().catch(function () {}); }, 15000);
})();
