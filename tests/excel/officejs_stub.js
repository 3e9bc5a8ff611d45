/* A stand-in for Office.js at the task pane's boundary, for the headless browser test.
 *
 * It offers only the documented calls the page makes (Office.onReady, Office.context.document.url and
 * getFileAsync with its slices; Excel.run, worksheets.load/getItem/delete/visibility/activate, the
 * worksheet events, workbook.insertWorksheetsFromBase64, getRange and the chart calls) and records each
 * one in window.officeCalls; the charts drawn are in window.officeCharts.
 * Where Excel refuses something the docs name, it refuses too: deleting a very hidden sheet, inserting
 * a sheet whose name is taken. The test sets window.officeSetup (the workbook's bytes and sheets) first.
 */
(function () {
  const setup = window.officeSetup;
  const calls = (window.officeCalls = []);
  const listeners = { onChanged: [], onAdded: [], onDeleted: [] };
  const sheets = setup.sheets.map((s) => ({ name: s.name, visibility: s.visibility }));
  window.officeSheets = sheets;

  const charts = (window.officeCharts = []); // plain records of the charts drawn: sheet, type, title, series

  function chartsOf(sheet) {
    return {
      items: [],
      load() { this.items = charts.filter((c) => c.sheet === sheet); },
      add(type, source, seriesBy) {
        calls.push(["charts.add", sheet, type, source.address, seriesBy]);
        const record = { sheet, type, title: "", legend: "", reversed: false, position: null, series: [] };
        charts.push(record);
        const series = (name) => {
          const plain = { name, values: null, categories: null, colour: null };
          record.series.push(plain);
          return {
            set name(v) { plain.name = v; },
            setValues(r) { plain.values = [r.sheet, r.address]; },
            setXAxisValues(r) { plain.categories = [r.sheet, r.address]; },
            format: { fill: { setSolidColor(c) { plain.colour = c; } } },
          };
        };
        const first = series("Series1");
        return {
          setPosition(from, to) { record.position = [from, to]; },
          title: { set text(v) { record.title = v; } },
          legend: { set position(v) { record.legend = v; } },
          axes: { categoryAxis: { set reversePlotOrder(v) { record.reversed = v; } } },
          series: { getItemAt(i) { if (i !== 0) throw new Error("one series"); return first; }, add: series },
        };
      },
    };
  }

  function fire(kind) { listeners[kind].slice().forEach((h) => h({ type: kind })); }
  window.officeEdit = () => fire("onChanged"); // the coordinator types in a cell

  function sheetObject(name) {
    return {
      get name() { return name; },
      get visibility() { return sheets.find((s) => s.name === name).visibility; },
      set visibility(value) {
        calls.push(["visibility", name, value]);
        sheets.find((s) => s.name === name).visibility = value;
      },
      delete() {
        const at = sheets.findIndex((s) => s.name === name);
        if (sheets[at].visibility === "VeryHidden") throw new Error("InvalidOperation: a very hidden sheet");
        calls.push(["delete", name]);
        sheets.splice(at, 1);
      },
      activate() { calls.push(["activate", name]); },
      getRange(address) { return { sheet: name, address }; },
      charts: chartsOf(name),
    };
  }

  function event(kind, context) {
    return {
      add(handler) {
        listeners[kind].push(handler);
        calls.push(["listen", kind]);
        return { context, remove() { listeners[kind] = listeners[kind].filter((h) => h !== handler); calls.push(["unlisten", kind]); } };
      },
    };
  }

  function context() {
    const ctx = { sync: async () => {} };
    const worksheets = {
      items: [],
      load() { this.items = sheets.map((s) => sheetObject(s.name)); },
      getItem(name) {
        if (!sheets.some((s) => s.name === name)) throw new Error(`ItemNotFound: ${name}`);
        return sheetObject(name);
      },
      onChanged: event("onChanged", ctx), onAdded: event("onAdded", ctx), onDeleted: event("onDeleted", ctx),
    };
    ctx.workbook = {
      worksheets,
      insertWorksheetsFromBase64(base64, options) {
        calls.push(["insertWorksheetsFromBase64", options.sheetNamesToInsert.slice(), options.positionType,
          options.relativeTo || null]);
        window.officeInserted = base64;
        let at = sheets.length; // "End"
        if (options.positionType === "After") at = sheets.findIndex((s) => s.name === options.relativeTo) + 1;
        if (at === 0) throw new Error(`ItemNotFound: ${options.relativeTo}`);
        for (const name of options.sheetNamesToInsert) {
          if (sheets.some((s) => s.name === name)) throw new Error(`InvalidOperation: ${name} exists`);
          sheets.splice(at++, 0, { name, visibility: "Visible" });
        }
      },
    };
    return ctx;
  }

  window.Excel = {
    run: async (first, second) => (second || first)(typeof first === "function" ? context() : first),
  };

  window.Office = {
    FileType: { Compressed: "compressed" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    onReady: (callback) => Promise.resolve().then(() => callback({ host: "Excel", platform: "OfficeOnline" })),
    context: {
      document: {
        url: setup.url,
        getFileAsync(type, options, callback) {
          calls.push(["getFileAsync", type]);
          if (setup.editWhileReading) window.officeEdit();
          const bytes = Uint8Array.from(atob(setup.workbook), (c) => c.charCodeAt(0));
          const size = options.sliceSize;
          const count = Math.max(1, Math.ceil(bytes.length / size));
          callback({
            status: "succeeded",
            value: {
              sliceCount: count,
              getSliceAsync(i, done) { done({ status: "succeeded", value: { data: Array.from(bytes.subarray(i * size, (i + 1) * size)) } }); },
              closeAsync(done) { calls.push(["closeAsync"]); done && done({ status: "succeeded" }); },
            },
          });
        },
      },
    },
  };
})();
