// 开票助手 widget: cards (invoice, summary, list, report, download, upload, batch preview
// and result, recognised and recorded invoices, login, leave a message, rating). Loaded
// by widget.js and, read-only, by the console; all text is set with textContent, so
// HTML in any message or card is shown, never run.
// Also the one home of el(), the DOM helper of every page's script (the console and the
// knowledge page load this file before their own).
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // Numbers, codes, dates and statuses ("已开具") are kept whole; names and reasons wrap.
  function whole(value) {
    var text = value === undefined || value === null ? "" : String(value);
    var short = text.length <= 20 && (text.match(/[\u4e00-\u9fff]/g) || []).length <= 4;
    return short ? { "class": "kp-nowrap" } : {};
  }

  function cell(label, value) {
    var td = el("td", whole(value), value);
    td.setAttribute("data-label", label);
    return td;
  }

  function fields(list) {
    var dl = el("dl");
    (list || []).forEach(function (f) {
      dl.appendChild(el("dt", {}, f.label));
      dl.appendChild(el("dd", whole(f.value), f.value));
    });
    return dl;
  }

  // Four or more columns do not fit the panel: each row is then drawn as label–value lines.
  function table(headers, rows) {
    var t = el("table", headers.length > 3 ? { "class": "kp-stacked" } : {});
    var head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    t.appendChild(head);
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (c, i) { tr.appendChild(cell(headers[i], c)); });
      t.appendChild(tr);
    });
    return t;
  }

  function button(label, onClick, attrs) {
    var b = el("button", Object.assign({ type: "button" }, attrs || {}), label);
    b.addEventListener("click", onClick);
    return b;
  }

  function pdfButton(ctx, number, url) {
    return button("下载 PDF", function () {
      ctx.download(url || ("/api/v1/invoices/" + encodeURIComponent(number) + "/pdf"), number + ".pdf");
    }, { "aria-label": "下载发票 " + number + " 的 PDF" });
  }

  var LIST_HEADERS = ["发票号码", "开票日期", "购买方", "状态", "价税合计"];

  var renderers = {
    invoice: function (card, ctx, box) {
      if (card.red) {
        box.classList.add("kp-red");
        box.insertBefore(el("span", { "class": "kp-red-mark" }, "红字发票（负数）"), box.firstChild);
      }
      box.appendChild(fields(card.fields));
      if (card.number) { box.appendChild(pdfButton(ctx, card.number)); }
    },
    invoice_draft: function (card, ctx, box) {
      box.setAttribute("data-kind", "summary");
      box.appendChild(fields(card.fields));
    },
    invoice_list: function (card, ctx, box) {
      function cells(r) { return [r.number, r.issued_at, r.buyer, r.status, r.total_with_tax]; }
      var t = table(LIST_HEADERS, (card.rows || []).map(cells));
      box.appendChild(t);
      if (card.total !== undefined) { box.appendChild(el("p", {}, "共 " + card.total + " 张")); }
      // The next pages of the same search, fetched with the user's token.
      var shown = (card.rows || []).length, page = 1;
      if (!card.query || shown >= card.total) { return; }
      var more = button("显示更多", function () {
        more.disabled = true;
        page += 1;
        ctx.listInvoices(Object.assign({}, card.query, { page: page })).then(function (next) {
          next.items.forEach(function (i) {
            var r = { number: i.number, issued_at: String(i.issued_at).slice(0, 10), buyer: (i.buyer || {}).name,
              status: i.status_label, total_with_tax: i.total_with_tax };
            var tr = el("tr");
            cells(r).forEach(function (c, n) { tr.appendChild(cell(LIST_HEADERS[n], c)); });
            t.appendChild(tr);
          });
          shown += next.items.length;
          more.disabled = shown >= card.total || !next.items.length;
          if (more.disabled) { more.hidden = true; }
        }, function () { more.disabled = false; page -= 1; });
      });
      box.appendChild(more);
    },
    report: function (card, ctx, box) {
      box.appendChild(fields(card.fields));
      (card.tables || []).forEach(function (part) {
        box.appendChild(el("h4", {}, part.title));
        box.appendChild(table(part.columns, part.rows));
      });
    },
    download: function (card, ctx, box) { box.appendChild(pdfButton(ctx, card.number, card.url)); },
    upload: function (card, ctx, box) {
      if (card.template_url) {
        box.appendChild(button("下载批量开票模板", function () { ctx.download(card.template_url, "批量开票模板.xlsx"); }));
      }
      box.appendChild(ctx.uploadControl(card));
    },
    leave_message: function (card, ctx, box) {
      var form = el("form", { "aria-label": "留言给人工客服" });
      var textId = "kp-ticket-" + Math.random().toString(36).slice(2);
      form.appendChild(el("label", { "for": textId }, "留言内容"));
      var text = el("textarea", { id: textId, rows: "3", maxlength: "1000", required: "" });
      form.appendChild(text);
      form.appendChild(el("label", { "for": textId + "-c" }, "联系方式（手机号或邮箱）"));
      var contact = el("input", { id: textId + "-c", type: "text", maxlength: "100", autocomplete: "tel" });
      form.appendChild(contact);
      form.appendChild(el("button", { type: "submit" }, "提交留言"));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!text.value.trim()) { text.focus(); return; }
        ctx.frame({ type: "ticket", text: text.value.trim(), contact: contact.value.trim() });
        form.querySelector("button").disabled = true;
      });
      box.appendChild(form);
    },
    login: function (card, ctx, box) {
      // Drawn again after the login (the conversation reloads with the new token).
      if (ctx.loggedIn()) { box.appendChild(el("p", { role: "status" }, "您已登录，请再说一次要办理的业务。")); return; }
      var form = el("form", { "aria-label": "登录开票账号", "class": "kp-login" });
      var id = "kp-login-" + Math.random().toString(36).slice(2);
      form.appendChild(el("label", { "for": id + "-u" }, "用户名"));
      var user = el("input", { id: id + "-u", type: "text", autocomplete: "username", required: "" });
      form.appendChild(user);
      form.appendChild(el("label", { "for": id + "-p" }, "密码"));
      var password = el("input", { id: id + "-p", type: "password", autocomplete: "current-password", required: "" });
      form.appendChild(password);
      var status = el("p", { role: "status", "class": "kp-login-status" });
      var submit = el("button", { type: "submit" }, "登录");
      form.appendChild(submit);
      form.appendChild(status);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submit.disabled = true;
        ctx.logIn(user.value.trim(), password.value).then(function () {
          password.value = "";
        }, function (error) {
          submit.disabled = false;
          status.textContent = error.message;
        });
      });
      box.appendChild(form);
    },
    answer: function (card, ctx, box) {
      box.setAttribute("data-kind", "feedback");
      var row = el("div", { "class": "kp-feedback", role: "group", "aria-label": "这个回答有帮助吗？" });
      row.appendChild(el("span", {}, "这个回答有帮助吗？"));
      [[true, "👍 有用"], [false, "👎 没用"]].forEach(function (choice) {
        row.appendChild(button(choice[1], function (event) {
          if (!ctx.frame({ type: "feedback", message_id: ctx.messageId, helpful: choice[0] })) { return; }
          Array.prototype.forEach.call(row.querySelectorAll("button"), function (b) { b.disabled = true; });
          event.target.setAttribute("aria-pressed", "true");
          row.appendChild(el("span", { "class": "kp-thanks", role: "status" }, "感谢您的反馈"));
        }, { "aria-label": choice[0] ? "有用" : "没用" }));
      });
      box.appendChild(row);
    },
    rated: function (card, ctx, box) {
      box.hidden = true;  // the text says thanks; the rating cards above are done
      ctx.settle('[data-card="rating"]');
    },
    rating: function (card, ctx, box) {
      var stars = el("div", { "class": "kp-stars", role: "group", "aria-label": "服务评分" });
      [1, 2, 3, 4, 5].forEach(function (score) {
        stars.appendChild(button(score + "分", function () {
          ctx.frame({ type: "rating", score: score });
          Array.prototype.forEach.call(stars.querySelectorAll("button"), function (b) { b.disabled = true; });
        }, { "aria-label": "评 " + score + " 分" }));
      });
      box.appendChild(stars);
    }
  };

  function render(card, ctx) {
    var box = el("div", { "class": "kp-card", "data-card": String(card.type || "") });
    if (card.title) { box.appendChild(el("h3", {}, card.title)); }
    var renderer = renderers[card.type];
    if (renderer) { renderer(card, ctx, box); } else if (card.fields) { box.appendChild(fields(card.fields)); }
    return box;
  }

  // What issuing the file would do, before anything is issued. With bad rows the user
  // chooses: issue the good rows only, or fix the file and upload it again.
  function batchPreview(card, ctx, box) {
    box.appendChild(el("h3", {}, "批量开票预览：" + card.filename));
    var rejected = card.rejected || [];
    var summary = "可开具 " + card.valid + " 张，价税合计 " + card.total_with_tax + " 元";
    box.appendChild(el("p", {}, summary + (rejected.length ? "；另有 " + rejected.length + " 处错误，所在的行不会开具。" : "。")));
    if (card.invoices.length) {
      box.appendChild(table(["行", "购买方", "发票类型", "价税合计"], card.invoices.map(function (i) {
        return [i.row, i.buyer, i.kind_label, i.total_with_tax];
      })));
      if (card.valid > card.invoices.length) { box.appendChild(el("p", {}, "（仅列出前 " + card.invoices.length + " 张）")); }
    }
    if (rejected.length) { box.appendChild(rejectedRows(rejected)); }
    if (card.refusal) { box.appendChild(el("p", { role: "alert" }, card.refusal)); }
    var row = el("div", { "class": "kp-buttons" });
    function choice(label, value) {
      row.appendChild(button(label, function () {
        Array.prototype.forEach.call(row.querySelectorAll("button"), function (b) { b.disabled = true; });
        ctx.chooseBatch(card, value);
      }));
    }
    if (card.valid && !card.refusal) {
      choice(rejected.length ? "只开具正确的 " + card.valid + " 张" : "确认开具 " + card.valid + " 张", "issue");
    }
    if (rejected.length || card.refusal) { choice("修改文件后重新上传", "reupload"); }
    choice("取消", "cancel");
    box.appendChild(row);
  }

  function batchResult(card, ctx, box) {
    ctx.settle('[data-card="batch_preview"]');  // the choice is made
    box.appendChild(el("h3", {}, "批量开票结果：" + card.filename));
    var rejected = card.rejected || [];
    box.appendChild(el("p", {}, "成功开具 " + (card.accepted || 0) + " 张" +
      (rejected.length ? "；以下 " + rejected.length + " 处错误所在的行没有开具。" : "。")));
    if ((card.numbers || []).length) { box.appendChild(el("p", {}, "发票号码：" + card.numbers.join("、"))); }
    if (rejected.length) { box.appendChild(rejectedRows(rejected)); }
  }

  function rejectedRows(rejected) {
    var t = table(["工作表", "行", "字段", "原因"], rejected.map(function (r) {
      return [r.sheet || "", r.row, r.field || "", r.message];
    }));
    t.classList.add("kp-rejected");
    return t;
  }

  // What recognition read from an invoice the user received. A field read without
  // certainty is marked for checking, and every failed check is shown; the invoice goes
  // into the ledger only on the user's choice.
  function recognition(card, ctx, box) {
    box.setAttribute("data-recognition", card.id);
    box.appendChild(el("h3", {}, "发票识别结果：" + card.filename));
    // Recorded before: said first, so nobody reimburses it twice (重复报销).
    if (card.recorded_before) { box.appendChild(el("p", { "class": "kp-recorded-before", role: "alert" }, card.recorded_before)); }
    var dl = el("dl", { "class": "kp-recognized" });
    var editable = [];  // uncertain fields the clerk may correct before recording
    Object.keys(card.fields || {}).forEach(function (name) {
      var f = card.fields[name];
      var label = f.label || name;
      var text = f.text || f.value;
      if (f.certain || name === "kind" || card.recorded_before) {
        dl.appendChild(el("dt", {}, label));
        var attrs = whole(text);
        if (!f.certain) { attrs["class"] = ((attrs["class"] || "") + " kp-uncertain").trim(); }
        dl.appendChild(el("dd", attrs, text + (f.certain ? "" : "（请核对）")));
        return;
      }
      // Label above a full-width input: a 20-digit number stays readable on a phone.
      var dt = el("dt", { "class": "kp-edit" }, label);
      dt.appendChild(el("span", { "class": "kp-hint" }, "请核对，可更正"));
      dl.appendChild(dt);
      var input = el("input", { type: "text", "aria-label": label + "（请核对，可更正）" });
      input.value = f.value || "";
      editable.push({ name: name, input: input, read: input.value });
      var dd = el("dd", { "class": "kp-edit" });
      dd.appendChild(input);
      dl.appendChild(dd);
    });
    box.appendChild(dl);
    var lines = card.lines || [];
    if (lines.length) {
      box.appendChild(table(["项目", "金额", "税率", "税额"], lines.map(function (l) {
        return [cellOf(l.name), cellOf(l.amount), rateOf(l.rate), cellOf(l.tax)];
      })));
    }
    if ((card.checks || []).length) {
      var problems = el("ul", { "class": "kp-checks", role: "alert" });
      card.checks.forEach(function (c) { problems.appendChild(el("li", {}, c.message)); });
      box.appendChild(problems);
    }
    var row = el("div", { "class": "kp-buttons" });
    function settle(done) {
      Array.prototype.forEach.call(box.querySelectorAll("button, input"), function (b) { b.disabled = done; });
    }
    function choice(label, act) {
      row.appendChild(button(label, function () { settle(true); act(); }));
    }
    // Only what the clerk changed is sent; a refused record (a field the core cannot
    // accept) leaves the card open to correct and record again.
    function record() {
      var corrections = {};
      editable.forEach(function (e) { if (e.input.value.trim() !== e.read) { corrections[e.name] = e.input.value.trim(); } });
      ctx.recordRecognition(card, corrections).then(function (ok) { if (!ok) { settle(false); } });
    }
    if (!card.recorded_before) { choice("录入收票台账", record); }
    choice(card.recorded_before ? "知道了" : "不录入", function () {});
    box.appendChild(row);
  }

  function cellOf(field) { return field ? field.value : ""; }

  function rateOf(field) {
    var rate = Number(field && field.value);
    return field && !isNaN(rate) ? Math.round(rate * 1000) / 10 + "%" : cellOf(field);
  }

  function receivedInvoice(card, ctx, box) {
    ctx.settle('[data-recognition="' + card.recognition_id + '"]');  // recorded
    box.appendChild(el("h3", {}, "已录入收票台账"));
    box.appendChild(fields([
      { label: "发票号码", value: card.number },
      { label: "销售方", value: (card.seller || {}).name || "" },
      { label: "价税合计", value: card.total_with_tax + " 元" },
      { label: "状态", value: card.state_label },
      { label: "核验", value: (card.verification || {}).message || "" }
    ]));
  }

  renderers.batch_preview = batchPreview;
  renderers.batch_result = batchResult;
  renderers.recognition = recognition;
  renderers.received_invoice = receivedInvoice;

  window.KaipiaoWidgetCards = { render: render, el: el, button: button };
})();
