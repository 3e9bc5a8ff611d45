/* xlpack task pane: drop the returns, see what intake makes of each file, Update.
 *
 * The page never renders a sheet itself. It sends the open workbook (Office.js
 * Document.getFileAsync, compressed) and the dropped files to the xlpack server,
 * which runs the same consolidate as the command line on a private copy and sends
 * the consolidated workbook back; the page then deletes the sheets xlpack owns and
 * inserts the new ones (Workbook.insertWorksheetsFromBase64, ExcelApi 1.13).
 * An edit to the workbook while the update runs (Worksheet events, ExcelApi 1.9)
 * stops the result being applied: the coordinator is asked to click again.
 * Everything shown comes from the server as text (textContent, never HTML).
 */
"use strict";

const SLICE = 4 * 1024 * 1024; // bytes per getFileAsync slice
const STATUS_LABEL = {
  accepted: "accepted", accepted_with_warnings: "accepted, warnings", rejected: "REJECTED",
  skipped: "skipped", superseded: "superseded",
};
const config = JSON.parse(document.getElementById("config")?.textContent || "{}");
let dropped = []; // {path, file}

function $(id) { return document.getElementById(id); }

/* A count and its noun, as xlpack.wording writes them: counted(1, "form") is "1 form", counted(3, "form") "3 forms". */
function counted(n, one, many) { return `${n} ${n === 1 ? one : (many || one + "s")}`; }

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/* ---- Office.js: the open workbook ---- */

function workbookName() {
  const url = (Office.context.document && Office.context.document.url) || "";
  const last = url.split("?")[0].split(/[\\/]/).pop() || "";
  try { return decodeURIComponent(last) || "Coordinator workbook.xlsx"; } catch (e) { return last; }
}

function readWorkbook() {
  return new Promise((resolve, reject) => {
    Office.context.document.getFileAsync(Office.FileType.Compressed, { sliceSize: SLICE }, (opened) => {
      if (opened.status !== Office.AsyncResultStatus.Succeeded) {
        reject(new Error(`Excel could not hand over the workbook: ${opened.error.message}`));
        return;
      }
      const file = opened.value;
      const parts = [];
      const next = (i) => {
        if (i === file.sliceCount) {
          file.closeAsync(() => resolve(new Blob(parts, { type: "application/octet-stream" })));
          return;
        }
        file.getSliceAsync(i, (slice) => {
          if (slice.status !== Office.AsyncResultStatus.Succeeded) {
            file.closeAsync(() => reject(new Error(`Excel could not hand over the workbook: ${slice.error.message}`)));
            return;
          }
          parts.push(new Uint8Array(slice.value.data));
          next(i + 1);
        });
      };
      next(0);
    });
  });
}

/* Listen for edits while the update runs; returns {changed(), stop()}. */
async function watchEdits() {
  let edited = false;
  const handlers = [];
  await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets;
    const mark = async () => { edited = true; };
    handlers.push(sheets.onChanged.add(mark), sheets.onAdded.add(mark), sheets.onDeleted.add(mark));
    await context.sync();
  });
  return {
    changed: () => edited,
    stop: async () => {
      for (const h of handlers) {
        await Excel.run(h.context, async (context) => { h.remove(); await context.sync(); });
      }
    },
  };
}

/* Put the consolidated sheets in place of xlpack's old ones; put the old ones back if Excel refuses the new. */
async function applySheets(answer, originalBase64) {
  await Excel.run(async (context) => {
    const workbook = context.workbook;
    const sheets = workbook.worksheets;
    sheets.load("items/name,items/visibility");
    await context.sync();
    const owned = new Set(answer.owned);
    const old = sheets.items.filter((s) => owned.has(s.name));
    old.filter((s) => s.visibility === "VeryHidden").forEach((s) => { s.visibility = "Hidden"; }); // else delete fails
    await context.sync();
    old.forEach((s) => s.delete());
    await context.sync();
    try {
      const after = answer.after && sheets.items.some((s) => s.name === answer.after) ? answer.after : null;
      workbook.insertWorksheetsFromBase64(answer.workbook, { // where the command puts them: after the plan sheets
        sheetNamesToInsert: answer.sheets.map((s) => s.name),
        positionType: after ? "After" : "End", ...(after ? { relativeTo: after } : {}),
      });
      await context.sync();
    } catch (error) {
      workbook.insertWorksheetsFromBase64(originalBase64, {
        sheetNamesToInsert: old.map((s) => s.name), positionType: "End",
      });
      await context.sync();
      throw new Error(`Excel did not take the new sheets (${error.message}); the previous ones were put back.`);
    }
    await drawCharts(context, answer.charts || []);
    answer.sheets.filter((s) => s.visibility !== "Visible")
      .forEach((s) => { sheets.getItem(s.name).visibility = s.visibility; });
    if (answer.activate) sheets.getItem(answer.activate).activate();
    await context.sync();
  });
}

/* The charts the inserted sheets arrived without, drawn again (a sheet that kept its charts is left alone). */
async function drawCharts(context, specs) {
  const sheets = [...new Set(specs.map((c) => c.sheet))];
  const held = sheets.map((name) => context.workbook.worksheets.getItem(name).charts);
  held.forEach((charts) => charts.load("items"));
  await context.sync();
  const bare = new Set(sheets.filter((name, i) => held[i].items.length === 0));
  specs.filter((c) => bare.has(c.sheet)).forEach((c) => drawChart(context.workbook, c));
  await context.sync();
}

/* Draw one of the workbook's charts again (insertWorksheetsFromBase64 leaves charts behind), ExcelApi 1.7. */
function drawChart(workbook, spec) {
  const range = ([sheet, cells]) => workbook.worksheets.getItem(sheet).getRange(cells);
  const [first, ...rest] = spec.series;
  const chart = workbook.worksheets.getItem(spec.sheet).charts.add(spec.type, range(first.values), "Columns");
  chart.setPosition(spec.from, spec.to);
  chart.title.text = spec.title;
  chart.legend.position = "Bottom";
  chart.axes.categoryAxis.reversePlotOrder = spec.reversed; // the table's first row at the top, as in the file
  const style = (series, s) => {
    series.name = s.name;
    series.setValues(range(s.values));
    series.setXAxisValues(range(s.categories));
    if (s.colour) series.format.fill.setSolidColor(s.colour);
  };
  style(chart.series.getItemAt(0), first);
  rest.forEach((s) => style(chart.series.add(s.name), s));
}

/* ---- the server ---- */

async function authHeaders() {
  if (!(config.authProviders || []).includes("entraid")) return {};
  const token = await Office.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true });
  return { Authorization: `Bearer ${token}`, "Auth-Provider": "entraid" };
}

async function post(route, workbook, allowMissing) {
  const form = new FormData();
  form.append("workbook", workbook, workbookName());
  form.append("name", workbookName());
  for (const d of dropped) {
    form.append("files", d.file, d.file.name);
    form.append("paths", d.path);
  }
  if (allowMissing) form.append("allow_missing", "true");
  const response = await fetch(`${config.appPath || ""}/xlpack/${route}`, {
    method: "POST", body: form, headers: await authHeaders(), credentials: "same-origin",
  });
  const type = response.headers.get("content-type") || "";
  if (!type.includes("json")) {
    throw new Error(`The xlpack server answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
  const answer = await response.json();
  if (!response.ok && !answer.message) { // refused before xlpack saw it: sign-in, for instance
    return { ok: false, refusal: "request", message: `The xlpack server refused the request: ${answer.detail || response.status}` };
  }
  return answer;
}

function bytesToBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/* ---- what the page shows ---- */

function showState(state) {
  const box = $("state");
  box.replaceChildren();
  if (!state) return;
  box.append(el("p", state.title || state.audit_id, "title"));
  const list = el("ul", undefined, "figures");
  list.append(el("li", `${counted(state.issued, "form")} issued`));
  if (state.consolidated_at) {
    list.append(el("li", `${state.returned} returned and accepted`), el("li", `${state.overdue} overdue`),
      el("li", `${state.missing} not returned, not yet due`),
      el("li", `${counted(state.urgent, "urgent flag")}, ${state.urgent_open} without a resolution`,
        state.urgent_open ? "urgent" : ""));
    box.append(list, el("p", `Last updated ${state.consolidated_at}.`, "muted"));
  } else {
    box.append(list, el("p", "Not updated from returns yet.", "muted"));
  }
}

function showFiles(files) {
  const table = $("files");
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const f of files || []) {
    const row = el("tr", undefined, `status-${f.status}`);
    row.append(el("td", STATUS_LABEL[f.status] || f.status), el("td", f.file), el("td", f.form));
    const cell = el("td");
    for (const p of f.problems) {
      const item = el("p", `${p.message} `, p.severity);
      item.append(el("span", `What to do: ${p.fix}`, "fix"));
      cell.append(item);
    }
    row.append(cell);
    body.append(row);
  }
  table.hidden = !(files && files.length);
}

function showMessage(lines, kind) {
  const box = $("message");
  box.replaceChildren();
  box.className = kind || "";
  for (const line of [].concat(lines)) {
    for (const part of String(line).split("\n")) box.append(el("p", part));
  }
}

function busy(on, text) {
  $("update").disabled = on || !dropped.length;
  document.body.classList.toggle("busy", on);
  if (on) showMessage(text, "working");
}

/* ---- dropping files ---- */

function readEntry(entry, prefix) {
  return new Promise((resolve) => {
    if (entry.isFile) {
      entry.file((file) => resolve([{ path: prefix + file.name, file }]), () => resolve([]));
      return;
    }
    const reader = entry.createReader();
    const found = [];
    const more = () => reader.readEntries(async (entries) => {
      if (!entries.length) { resolve(found); return; }
      for (const child of entries) found.push(...await readEntry(child, `${prefix}${entry.name}/`));
      more();
    }, () => resolve(found));
    more();
  });
}

async function addDropped(items) {
  dropped = dropped.concat(items);
  $("dropped-count").textContent = `${counted(dropped.length, "file")} dropped.`;
  $("clear").disabled = !dropped.length;
  await check();
}

async function onDrop(event) {
  event.preventDefault();
  $("drop").classList.remove("over");
  const entries = [...event.dataTransfer.items].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
  const items = [];
  if (entries.length) {
    for (const entry of entries) items.push(...await readEntry(entry, ""));
  } else {
    items.push(...[...event.dataTransfer.files].map((file) => ({ path: file.name, file })));
  }
  await addDropped(items);
}

function onPicked(event) {
  const items = [...event.target.files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  event.target.value = "";
  addDropped(items);
}

/* ---- the two actions ---- */

async function check() {
  busy(true, dropped.length ? "Reading the files dropped…" : "Reading the open workbook…");
  try {
    const answer = await post("check", await readWorkbook(), false);
    if (!answer.ok) { showMessage(answer.message, "refused"); return; }
    showState(answer.state);
    showFiles(answer.files);
    showMessage(dropped.length ? "Check the table, then click Update from returns." : "", "");
  } catch (error) {
    showMessage(error.message, "refused");
  } finally {
    busy(false);
  }
}

async function update() {
  busy(true, "Updating: reading every return and rebuilding the analysis…");
  let watch = null;
  try {
    watch = await watchEdits();
    const workbook = await readWorkbook();
    const answer = await post("update", workbook, $("allow-missing").checked);
    await watch.stop();
    if (!answer.ok) {
      showMessage(answer.message, "refused");
      if (answer.refusal === "missing-forms") $("allow-missing").parentElement.classList.add("ask");
      return;
    }
    if (watch.changed()) {
      showMessage("The workbook was changed while the update ran, so nothing was applied (your change is kept). "
        + "Click Update from returns again.", "refused");
      return;
    }
    await applySheets(answer, bytesToBase64(new Uint8Array(await workbook.arrayBuffer())));
    showFiles(answer.files);
    showState(answer.state);
    const hatched = (answer.charts || []).some((c) => c.series.some((s) => s.hatched));
    showMessage(answer.summary.concat(hatched ? ["On the Charts sheet, \u201cNo evidence\u201d is drawn in its colour "
      + "without the hatching it has in desktop Excel: Excel's add-in chart API has no pattern fills."] : []),
    answer.rejected ? "warn" : "done");
    $("allow-missing").checked = false;
    $("allow-missing").parentElement.classList.remove("ask");
  } catch (error) {
    if (watch) await watch.stop().catch(() => {});
    showMessage(error.message, "refused");
  } finally {
    busy(false);
  }
}

function start() {
  const zone = $("drop");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", onDrop);
  zone.addEventListener("keydown", (e) => { if (e.key === "Enter") $("file-input").click(); });
  $("choose-files").addEventListener("click", () => $("file-input").click());
  $("choose-folder").addEventListener("click", () => $("folder-input").click());
  $("file-input").addEventListener("change", onPicked);
  $("folder-input").addEventListener("change", onPicked);
  $("clear").addEventListener("click", () => {
    dropped = [];
    $("dropped-count").textContent = "No files dropped yet.";
    $("clear").disabled = true;
    showFiles([]);
    busy(false);
  });
  $("update").addEventListener("click", update);
  check();
}

Office.onReady(() => start());
