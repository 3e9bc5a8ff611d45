"""Before and after the audit (issue 12): drawing the case sample from a management-information extract.

``xlpack.cycle.sampling`` holds the draw (:func:`~xlpack.cycle.sampling.draw_sample`).
"""
