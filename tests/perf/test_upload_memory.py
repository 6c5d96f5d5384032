"""Security review #17: the largest accepted upload stays under 200 MB of memory (a whole process,
Django included), because it is decoded once and written without whole-image encoder buffers."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MEASURE = """
import io, sys
from PIL import Image
fmt = sys.argv[1]
size = (6000, 4000)  # 24 million pixels: KIJI_MAX_IMAGE_PIXELS' default
picture = Image.new("RGB", size, (200, 30, 30))
picture.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 3))
out = io.BytesIO()
picture.save(out, format=fmt)
open(sys.argv[2], "wb").write(out.getvalue())
"""

UPLOAD = """
import sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from kiji.newsroom.services import images
data = open(sys.argv[1], "rb").read()
upload = SimpleUploadedFile(sys.argv[1].rsplit("/", 1)[1], data)
images.open_upload(upload)  # the form's check
picture = images.open_upload(upload)  # store_upload's: the same decoded picture
upright = images._upright(picture)
images._encode(upright, picture.format)
images.make_renditions(upright, "images/" + sys.argv[1].rsplit("/", 1)[1])
# VmHWM, not getrusage's ru_maxrss: the latter keeps the forking parent's peak across exec, so under a
# large pytest process it measured the test runner, not this upload.
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024)
"""


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_the_largest_accepted_picture_stays_under_200_mb(tmp_path, fmt):
    source = tmp_path / f"big.{fmt.lower()}"
    subprocess.run([sys.executable, "-c", MEASURE, fmt, str(source)], check=True)
    env = {"DJANGO_SETTINGS_MODULE": "kiji.settings", "KIJI_MEDIA_ROOT": str(tmp_path / "media"), "PATH": "/usr/bin"}
    done = subprocess.run(
        [sys.executable, "-c", UPLOAD, str(source)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    peak_mb = int(done.stdout.strip().splitlines()[-1])
    assert peak_mb < 200, f"{fmt}: {peak_mb} MB"
