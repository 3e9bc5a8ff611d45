"""Skin: Excel. The desktop add-in's Update from returns button (:mod:`.button`), the add-in's build
(:mod:`.addin`), and the xlwings Server add-in for Excel on the web (:mod:`.server`)."""
