"""`motcua scan …`: page detection, the whole pipeline to a PDF, and the reproducible evaluation.

OpenCV loads only when a command runs, so `motcua --help` and the server stay free of it.
"""

from __future__ import annotations

import json
import sys
import time

import click


def _load_error(exc: Exception) -> click.ClickException:
    message = getattr(exc, "message_vi", None)
    return click.ClickException(f"{exc}" + (f" — {message}" if message else ""))


@click.group("scan")
def scan_group() -> None:
    """Document scanning: detect a page, make a PDF, evaluate the detector."""


@scan_group.command("detect")
@click.argument("image", type=click.Path(dir_okay=False, path_type=str))
def detect_command(image: str) -> None:
    """Print {"corners": [[x, y] ×4]} (top-left, top-right, bottom-right, bottom-left, in pixels
    of IMAGE) or {"corners": null} when no page is found. Exit 1 only for an unreadable file."""
    from .imageio import ImageLoadError
    from .pipeline import detect_file

    try:
        result = detect_file(image)
    except ImageLoadError as exc:
        raise _load_error(exc) from None
    click.echo(json.dumps(result))


@scan_group.command("process")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The PDF to write (one page per IMAGE, in order).")
@click.option("--mode", type=click.Choice(["grey", "colour", "bw", "gray", "color"]), default="grey",
              show_default=True, help="Greyscale, colour, or black-and-white.")
@click.option("--dpi", type=click.IntRange(50, 600), default=200, show_default=True)
@click.option("--flat", is_flag=True, help="The images are flatbed/feeder scans (no page detection).")
@click.option("--text", "text_layer", is_flag=True, help="Add a searchable text layer (tesseract vie).")
def process_command(images: tuple[str, ...], output: str, mode: str, dpi: int, flat: bool,
                    text_layer: bool) -> None:
    """Photos → flat, clean pages → one PDF. The photos are never modified."""
    from .imageio import ImageLoadError, load_image
    from .pdf import PdfError, write_pdf
    from .pipeline import PageNotFoundError, process_image

    pages = []
    for path in images:
        try:
            page = process_image(load_image(path), mode=mode, dpi=dpi, already_flat=flat)
        except ImageLoadError as exc:
            raise _load_error(exc) from None
        except PageNotFoundError as exc:
            raise click.ClickException(f"{path}: {exc} — {exc.message_vi}") from None
        for issue in page.quality.issues if page.quality else []:
            click.echo(f"{path}: {issue.code}: {issue.message}", err=True)
        pages.append(page)
    try:
        result = write_pdf([p.image for p in pages], output, dpi=dpi, text_layer=text_layer)
    except PdfError as exc:
        raise click.ClickException(str(exc)) from None
    for note in result.notes:
        click.echo(note, err=True)
    sizes = ", ".join(f"{b // 1024} KB" for b in result.page_bytes)
    click.echo(f"{output}: {result.pages} page(s), {len(result.data) // 1024} KB ({sizes})")


def _size(value: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter("use WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (64 <= w <= 8000 and 64 <= h <= 8000):
        raise click.BadParameter("each side must be 64–8000 pixels")
    return w, h


@scan_group.command("evaluate")
@click.option("--n", "per_category", type=click.IntRange(1, 500), default=20, show_default=True,
              help="Scenes per condition.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the synthetic set.")
@click.option("--size", default="1920x1080", show_default=True, help="Frame size WIDTHxHEIGHT.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def evaluate_command(per_category: int, seed: int, size: str, as_json: bool) -> None:
    """SmartDoc-style Jaccard index of page detection per condition, and time per image, on the
    seeded synthetic set (hardware.scan.synth): Vietnamese form pages photographed by a simulated
    camera on plain, light, textured and cluttered desks, with fingers, pens, shadows and blur."""
    import cv2

    from .evaluate import evaluate
    from .synth import CATEGORIES, NO_PAGE, make_scene

    cv2.setNumThreads(1)  # the target is per image on one CPU core
    w, h = _size(size)
    started = time.perf_counter()
    scenes = [make_scene(c, seed * 100_000 + i, (w, h)) for c in (*CATEGORIES, NO_PAGE)
              for i in range(per_category)]
    render_s = time.perf_counter() - started
    results = evaluate(scenes)
    pages = [r for c, r in results.items() if c != NO_PAGE]
    overall = sum(r.mean_jaccard * r.count for r in pages) / sum(r.count for r in pages)
    ms = sum(r.ms_per_frame * r.count for r in results.values()) / sum(r.count for r in results.values())
    summary = {"size": f"{w}x{h}", "seed": seed, "per_condition": per_category,
               "mean_jaccard": round(overall, 4), "ms_per_image": round(ms, 1),
               "conditions": {c: {"count": r.count,
                                  "mean_jaccard": None if r.mean_jaccard is None else round(r.mean_jaccard, 4),
                                  "min_jaccard": None if r.min_jaccard is None else round(r.min_jaccard, 4),
                                  "not_found": r.not_found, "rejected_ok": r.rejected_ok,
                                  "ms_per_image": round(r.ms_per_frame, 1)}
                              for c, r in results.items()}}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(f"Synthetic set: {per_category} scenes per condition, seed {seed}, {w}x{h} "
               f"(rendered in {render_s:.1f} s); detection on one thread.")
    click.echo(f"{'condition':<14} {'n':>4} {'mean J':>7} {'min J':>7} {'missed':>6} {'ms/img':>7}")
    for c, r in results.items():
        if c == NO_PAGE:
            click.echo(f"{c:<14} {r.count:>4} {'':>7} {'':>7} {'':>6} {r.ms_per_frame:>7.1f}"
                       f"   correctly 'no page': {r.rejected_ok}/{r.count}")
        else:
            click.echo(f"{c:<14} {r.count:>4} {r.mean_jaccard:>7.3f} {r.min_jaccard:>7.3f} "
                       f"{r.not_found:>6} {r.ms_per_frame:>7.1f}")
    click.echo(f"{'overall':<14} {sum(r.count for r in pages):>4} {overall:>7.3f} {'':>7} {'':>6} {ms:>7.1f}")
    click.echo("A synthetic set measures regressions reproducibly; it does not prove accuracy on "
               "real photographs.")
    sys.stdout.flush()
