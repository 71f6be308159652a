"""Document scanning (số hóa hồ sơ): page detection, flattening, clean-up, quality, PDF.

Importing this package is free: OpenCV/numpy load only when a submodule is imported, so the
server never pays for it unless it scans. Public API (plain functions, no web or device code):

* ``imageio.load_image(path)`` / ``decode_image(bytes)`` -> BGR array; ``ImageLoadError``
  (with ``message_vi``) for PDFs, corrupt, empty or absurdly large files.
* ``detect.detect_page(img)`` -> ``PageDetection(found, corners, score, reason, touches_border)``;
  ``corners_list()`` gives the ``{"corners": ...}`` JSON form (TL, TR, BR, BL as seen) or None.
* ``warp.warp_page(img, corners, dpi=200, paper="auto")`` -> (flat page, ``PageSize``).
* ``enhance.enhance(page, mode)`` with mode "colour" | "grey" | "bw".
* ``quality.check_quality(img, detection)`` -> ``QualityReport(ok, issues[code, message], metrics)``.
* ``autocapture.AutoCapture`` -> ``update(detection, frame)`` returns a ``CaptureEvent`` once per
  still page; ``shutter()`` for the manual button.
* ``pdf.write_pdf(pages, path, dpi, text_layer=False)`` / ``build_pdf`` -> ``PdfResult``.
* ``pipeline.process_image`` / ``process_files`` / ``detect_file`` tie these together
  (``already_flat=True`` for flatbed/feeder scans, which have no desk around the page).
* ``sources.CameraSource`` / ``FolderWatcher`` / ``SaneScanner`` deliver frames or files.
* ``synth.make_scene`` / ``write_demo_frames`` and ``evaluate.evaluate`` for tests, demos, bench.
"""
