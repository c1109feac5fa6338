"""Publishing, the only writer: plume outputs (:mod:`.outputs`: NetCDF, GeoTIFF, GeoJSON, JSON)
and the static site (:mod:`.site`: pages, templates and their local assets).

Publishers take what the model side produced (:class:`atlas.result.PlumeResult`, the
:class:`atlas.load.Layers`) and never compute a result themselves.
"""
