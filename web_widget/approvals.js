// 远程审批: the requests waiting for the signed-in approver (同意, 驳回 with a reason), the
// user's own requests (撤回 while waiting), and, for the company's admin, its rules.
// Every decision is asked twice (the second button names it) before the call.
(function () {
  "use strict";
  var cards = window.KaipiaoWidgetCards, el = cards.el, button = cards.button;
  var api = window.KaipiaoPage.api;
  var KINDS = {  // the API's kinds (invoicing_core/domain/kind.py)
    digital_special: "数电发票（增值税专用发票）",
    digital_general: "数电发票（普通发票）",
    paper_special: "增值税专用发票（纸质）",
    paper_general: "增值税普通发票（纸质）"
  };
  var RULE_FIELDS = {
    min_total_with_tax: "min-total", buyers: "buyers", items: "items", levels: "level-1", lapse_hours: "lapse-hours"
  };
  function $(id) { return document.getElementById(id); }

  function say(text) { $("status").hidden = !text; $("status").textContent = text || ""; }
  function failed(error) { say(error.message); }
  function when(value) { return new Date(value).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }); }

  // What a request froze (content): an issue its preview (invoice), a void the invoice and
  // the reason, a red-letter the blue invoice and the red one, a batch its invoices.
  function shown(content) { return content.red_invoice || content.invoice || {}; }

  function details(request) {
    var c = request.content || {}, inv = shown(c), dl = el("dl");
    function row(label, value) {
      if (value === undefined || value === null || value === "") return;
      dl.appendChild(el("dt", {}, label));
      dl.appendChild(el("dd", {}, value));
    }
    row("申请人", request.requested_by);
    row("申请时间", when(request.requested_at));
    row("原因", request.reasons.join("；"));
    row("发票号码", c.number);
    row("发票类型", inv.kind_label);
    row("购买方", inv.buyer && (inv.buyer.name + (inv.buyer.tax_id ? "（" + inv.buyer.tax_id + "）" : "")));
    row(c.red_invoice ? "红冲价税合计" : "价税合计", inv.total_with_tax && inv.total_with_tax + " 元");
    row("作废原因", c.reason);
    row("发票张数", c.invoices && c.count + " 张，价税合计 " + c.total_with_tax + " 元");
    row("审批进度", "第 " + request.level + " 级，共 " + request.levels.length + " 级");
    request.decisions.forEach(function (d) {
      row("第 " + d.level + " 级", d.by + (d.approved ? " 同意" : " 驳回：" + d.reason) + "（" + when(d.at) + "）");
    });
    var pending = request.state === "pending";
    row(pending ? "截止时间" : "结束时间", when(pending ? request.deadline : request.ended_at));
    row("结果", request.result && "发票号码 " + request.result);
    return dl;
  }

  function lines(request) {
    var c = request.content || {};
    if (c.invoices) {
      return table(["购买方", "价税合计"], c.invoices.map(function (i) { return [i.buyer.name, i.total_with_tax]; }));
    }
    var inv = shown(c);
    if (!inv.lines || !inv.lines.length) return null;
    return table(["项目", "数量", "金额", "税率", "税额"], inv.lines.map(function (line) {
      return [line.name, line.quantity || "", line.amount, line.tax_rate, line.tax];
    }));
  }

  function table(headers, rows) {
    var t = el("table"), head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    t.appendChild(head);
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (value, n) { tr.appendChild(el("td", n ? { "class": "money" } : {}, value)); });
      t.appendChild(tr);
    });
    return t;
  }

  // A decision: the first button shows the second (and the reason box for 驳回).
  function decision(box, label, ask, act, withReason) {
    var actions = box.querySelector(".actions");
    actions.appendChild(button(label, function () {
      deciding = true;
      actions.textContent = "";
      var reason = withReason ? el("input", { type: "text", maxlength: "200", "aria-label": "驳回理由", placeholder: "驳回理由（必填）" }) : null;
      if (reason) actions.appendChild(reason);
      actions.appendChild(button(ask, function (event) {
        if (reason && !reason.value.trim()) { reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
        event.target.disabled = true;
        act(reason && reason.value.trim()).then(load, function (error) { failed(error); load(); });
      }, { "class": withReason ? "danger" : "" }));
      actions.appendChild(button("取消", load, { "class": "secondary" }));
      if (reason) reason.focus();
    }, withReason || label === "撤回申请" ? { "class": "secondary" } : {}));
  }

  function post(request, verb, body) {
    return api("POST", "/api/v1/approvals/" + request.id + "/" + verb, body).then(function (outcome) {
      var a = outcome.approval;
      say("审批单 " + a.id + "：" + a.state_label + (a.result ? "，发票号码 " + a.result : "") + "。");
    });
  }

  function requestItem(request) {
    var li = el("li", { "class": "request", "data-approval": String(request.id) });
    li.appendChild(el("h3", {}, "审批单 " + request.id + " · " + request.action_label + " · " + request.state_label));
    li.appendChild(details(request));
    var items = lines(request);
    if (items) li.appendChild(items);
    li.appendChild(el("div", { "class": "actions" }));
    if (request.awaiting_you) {
      decision(li, "同意", "确认同意", function () { return post(request, "approve"); });
      decision(li, "驳回", "确认驳回", function (reason) { return post(request, "reject", { reason: reason }); }, true);
    } else if (request.state === "pending" && request.requested_by === me.username) {
      decision(li, "撤回申请", "确认撤回", function () { return post(request, "cancel"); });
    }
    return li;
  }

  function show(listId, items) {
    var list = $(listId);
    list.textContent = "";
    $(listId + "-empty").hidden = items.length > 0;
    items.forEach(function (request) { list.appendChild(requestItem(request)); });
  }

  var me = {}, deciding = false;
  function load() {
    deciding = false;
    api("GET", "/api/v1/approvals?mine=approver&state=pending").then(function (page) { show("awaiting", page.items); }).catch(failed);
    api("GET", "/api/v1/approvals?mine=requester").then(function (page) { show("mine", page.items); }).catch(failed);
  }

  function words(text) { return text.split(/[\s,，、;；]+/).filter(Boolean); }

  function showRules(rules) {
    $("min-total").value = rules.min_total_with_tax || "";
    $("kinds").textContent = "";
    Object.keys(KINDS).forEach(function (kind) {
      var box = el("input", { type: "checkbox", "data-kind": kind });
      box.checked = rules.kinds.indexOf(kind) >= 0;
      var label = el("label");
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + KINDS[kind]));
      $("kinds").appendChild(label);
    });
    $("new-buyer").checked = rules.new_buyer;
    $("red-letter").checked = rules.red_letter;
    $("void").checked = rules.void;
    $("buyers").value = rules.buyers.join("\n");
    $("items").value = rules.items.join("\n");
    $("level-1").value = rules.levels[0].approvers.join("，");
    $("two-levels").checked = rules.levels.length > 1;
    $("level-2").value = rules.levels.length > 1 ? rules.levels[1].approvers.join("，") : "";
    $("lapse-hours").value = String(rules.lapse_hours);
  }

  $("rules-form").addEventListener("submit", function (e) {
    e.preventDefault();
    Object.keys(RULE_FIELDS).forEach(function (f) { $(RULE_FIELDS[f]).removeAttribute("aria-invalid"); });
    var levels = [{ approvers: words($("level-1").value) }];
    if ($("two-levels").checked) levels.push({ approvers: words($("level-2").value) });
    var hours = $("lapse-hours").value.trim();
    var body = {
      min_total_with_tax: $("min-total").value.trim() || null,
      kinds: Array.prototype.filter.call(document.querySelectorAll("#kinds input"), function (b) { return b.checked; })
        .map(function (b) { return b.dataset.kind; }),
      new_buyer: $("new-buyer").checked,
      buyers: words($("buyers").value),
      items: $("items").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean),
      red_letter: $("red-letter").checked,
      void: $("void").checked,
      levels: levels,
      lapse_hours: /^\d+$/.test(hours) ? Number(hours) : hours
    };
    api("PUT", "/api/v1/approval-rules", body).then(function (rules) {
      showRules(rules);
      $("rules-status").textContent = "已保存。";
    }, function (error) {
      var field = RULE_FIELDS[(error.field || "").split(".")[0]];
      $("rules-status").textContent = error.message;
      if (field) { $(field).setAttribute("aria-invalid", "true"); $(field).focus(); }
    });
  });

  window.KaipiaoPage.signIn("kaipiao-approvals-token", function () {
    say("");
    api("GET", "/api/v1/auth/me").then(function (who) {
      me = who;
      $("rules-card").hidden = who.role !== "admin";
      if (who.role === "admin") api("GET", "/api/v1/approval-rules").then(showRules).catch(failed);
      load();
    }).catch(failed);
  });
  // New requests appear without reloading the page (not while a decision is being made).
  setInterval(function () { if (window.KaipiaoPage.signedIn() && me.username && !deciding) load(); }, 15000);
})();
