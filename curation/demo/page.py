"""A demo lecture's page on the video site, as yt-dlp's generic extractor reads one.

The page carries a schema.org VideoObject (title, description, keywords as tags, chapters as
clips, the media URL), the Open Graph tags and a <title>, the way video sites mark up their
watch pages. Sites name their media by absolute URL; a page file holds ORIGIN where the
server that serves it puts its own scheme, host and port.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from curation.demo.truth import PageTruth

ORIGIN = "{{origin}}"
UPLOAD_DATE = "2024-03-01"


def page_name(video_id: str) -> str:
    return f"{video_id}.html"


def page_url(base_url: str, video_id: str) -> str:
    return f"{base_url}/{page_name(video_id)}"


def _iso_duration(seconds: float) -> str:
    return f"PT{int(seconds // 60)}M{seconds % 60:.1f}S"


def page_html(video_id: str, page: PageTruth, duration_s: float) -> str:
    media = f"{ORIGIN}/{video_id}.mp4"
    video_object = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": page.title,
        "description": page.description,
        "contentUrl": media,
        "encodingFormat": "video/mp4",
        "duration": _iso_duration(duration_s),
        "uploadDate": UPLOAD_DATE,
        "keywords": ",".join(page.tags),
        "hasPart": [
            {"@type": "Clip", "name": c.title, "startOffset": c.start, "endOffset": c.end} for c in page.chapters
        ],
    }
    title, description = escape(page.title), escape(page.description)
    chapters = "\n".join(f'    <li>{c.start:.0f} s: {escape(c.title)}</li>' for c in page.chapters)
    # "</" never appears inside the script element: json.dumps leaves "/" alone, so escape it here
    ld_json = json.dumps(video_object, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <meta name="description" content="{description}">
  <meta property="og:type" content="video.other">
  <meta property="og:title" content="{title}">
  <meta property="og:description" content="{description}">
  <meta property="og:video" content="{media}">
  <meta property="og:video:type" content="video/mp4">
  <script type="application/ld+json">{ld_json}</script>
</head>
<body>
  <h1>{title}</h1>
  <p>{description}</p>
  <p><a href="{video_id}.mp4">Download the lecture (MP4)</a></p>
  <ol>
{chapters}
  </ol>
</body>
</html>
"""


def write_page(folder: Path, video_id: str, page: PageTruth, duration_s: float) -> Path:
    path = Path(folder) / page_name(video_id)
    path.write_text(page_html(video_id, page, duration_s), encoding="utf-8")
    return path
