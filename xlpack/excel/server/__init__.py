"""Skin: Excel on the web (and desktop Excel without Python), through an xlwings Server add-in.

xlpack's routes (:mod:`.routes`) are added to xlwings Server's own FastAPI
app (:mod:`.app`) rather than mounting that app inside one of ours: the
routes then sit behind the same middleware (security headers, CORS) and use
the same authentication dependency (Entra ID when IT configures it), and
xlwings Server's manifest and task pane routes render our templates from
``project/`` (its documented project folder override), with the Office.js
it vendors. The task pane sends the open workbook and the dropped files; the
server runs the same consolidate as the CLI on a private copy (:mod:`.job`,
in its own process) and sends the consolidated workbook back; the page puts
the sheets xlpack owns in place of the old ones. One renderer, no copy of
any sheet's layout in JavaScript.
"""
