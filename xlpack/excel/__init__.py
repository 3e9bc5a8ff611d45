"""Skin: Excel. The add-in's Update from returns button (:mod:`.button`) and the add-in's build (:mod:`.addin`)."""
