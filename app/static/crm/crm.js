/* CRM page behaviour: remote selects, row selection, confirmations, conditional fields. */
(function ($) {
  "use strict";

  function initRemoteSelects(root) {
    $(".crm-remote-select", root).each(function () {
      var $el = $(this);
      $el.select2({
        theme: "bootstrap",
        allowClear: true,
        width: "100%",
        placeholder: $el.data("placeholder") || "",
        minimumInputLength: 0,
        ajax: {
          url: $el.data("endpoint"),
          dataType: "json",
          delay: 200,
          data: function (params) { return { q: params.term || "" }; },
          processResults: function (data) { return { results: data.results }; }
        }
      });
    });
  }

  function initBulk() {
    var $form = $("#bulk-form");
    if (!$form.length) { return; }
    function refresh() {
      var n = $(".row-check:checked", $form).length;
      $("#bulk-count").text(n);
      $("#bulk-bar").toggleClass("crm-bulk-active", n > 0);
    }
    $("#check-all").on("change", function () {
      $(".row-check", $form).prop("checked", this.checked);
      refresh();
    });
    $form.on("change", ".row-check", refresh);
    function toggleReason() {
      $("#bulk-reason").toggle($("#bulk-status").val() === "abandoned");
    }
    $("#bulk-status").on("change", toggleReason);
    toggleReason();
    refresh();
  }

  function initAbandonReason() {
    var $status = $("form#model_form select#status");
    if (!$status.length) { return; }
    var $row = $("#abandon_reason").closest("tr");
    function toggle() { $row.toggle($status.val() === "abandoned"); }
    $status.on("change", toggle);
    toggle();
  }

  // FAB's empty choice reads "__None": show a dash instead. Run now, before the ready
  // handlers of FAB's ab.js turn the selects into select2 widgets (which copy the text).
  $("select option[value='__None']").text("—");

  function initImportProgress() {
    var $box = $("#import-progress");
    if (!$box.length || ["pending", "running"].indexOf($box.data("status")) < 0) { return; }
    function poll() {
      $.getJSON($box.data("url"), function (data) {
        var percent = data.total ? Math.round(100 * data.processed / data.total) : 0;
        $("#import-bar").css("width", percent + "%").text(percent + " %");
        $("#import-processed").text(data.processed);
        $("#import-total").text(data.total);
        ["created", "warned", "updated", "skipped", "rejected", "blank"].forEach(function (key) {
          $("#n-" + key).text(data[key]);
        });
        if (data.status === "pending" || data.status === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      });
    }
    poll();
  }

  /* The bell: unread count now, then every 15 s (and when the tab comes back). */
  function initBell() {
    var $link = $(".crm-bell a");
    if (!$link.length) { return; }
    var $badge = $(".crm-bell-count", $link);
    function refresh() {
      $.getJSON($link.data("count-url"), function (data) {
        $badge.text(data.unread);
        $badge.prop("hidden", !data.unread);
      });
    }
    refresh();
    window.setInterval(function () { if (!document.hidden) { refresh(); } }, 15000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
  }

  /* Lead sheet: a template fills the e-mail form; Abandonné asks for its reason first. */
  function initSheet() {
    $(".crm-template-pick").on("change", function () {
      var $option = $("option:selected", this), $form = $(this).closest("form");
      if (!$option.val() && !$option.data("subject")) { return; }
      $("[name=subject]", $form).val($option.data("subject"));
      $("[name=body]", $form).val($option.data("body"));
    });
    $(".crm-status-form [data-needs-reason]").on("click", function (event) {
      var $reason = $(this).closest("form").find(".crm-abandon-reason");
      if (!$.trim($reason.val())) {
        event.preventDefault();
        $reason.addClass("crm-show").focus();
      }
    });
  }

  $(document).on("click", "[data-confirm]", function (event) {
    if (!window.confirm($(this).data("confirm"))) { event.preventDefault(); }
  });

  $(function () {
    initImportProgress();
    initRemoteSelects(document);
    initBulk();
    initAbandonReason();
    initBell();
    initSheet();
  });
})(jQuery);
