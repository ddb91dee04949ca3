"""Search by address and by place name, offline.

:mod:`.normalise` turns what residents type and what the 位置参照情報 files hold into one
comparable form; :mod:`.gazetteer` answers addresses from the loaded ``addresses`` layer
(街区 and 大字・町丁目 levels); :mod:`.places` answers names from the other loaded layers;
:mod:`.engine` ranks both into one answer for ``GET /api/search``.
"""
