"""Frame writers for animations: GIF through Pillow, MP4 through ffmpeg.

Each takes the scene after its artists were updated (``add``), and writes to a temporary
file beside the target that replaces it only when complete (``close``); ``discard`` removes
what is left after a failure, so an interrupted run never leaves half a file.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile

import numpy as np

from xornet.errors import XornetError
from xornet.io import files

HOLD_LAST_MS = 1500  # a looping GIF rests on the trained network before it starts again


class GifWriter:
    """Frames as palette images, written by Pillow in one go at the end (atomically)."""

    def __init__(self, path, fps):
        self.path, self.fps, self.frames = os.fspath(path), fps, []
        files.writable_target(self.path, "out")  # refuse a device or folder before rendering

    def add(self, scene):
        scene.draw()
        rgba = np.asarray(scene.canvas.buffer_rgba())
        from PIL import Image

        image = Image.fromarray(rgba[..., :3])
        self.frames.append(image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                          dither=Image.Dither.NONE))

    def close(self):
        step = round(1000 / self.fps)
        durations = [step] * len(self.frames)
        durations[-1] = max(step, HOLD_LAST_MS)
        files.write_atomic(self.path, lambda f: self.frames[0].save(
            f, format="GIF", save_all=True, append_images=self.frames[1:], duration=durations,
            loop=0, optimize=False), field="out")

    def discard(self):
        pass  # write_atomic leaves nothing behind when it fails


class Mp4Writer:
    """Raw RGBA frames piped to ffmpeg (H.264), into a temporary file first."""

    def __init__(self, path, fps):
        self.path, self.fps = os.fspath(path), fps
        self.target = files.writable_target(self.path, "out")  # symlinks followed, checked
        self.tmp = _temp_beside(self.target, self.path, ".mp4")
        self.proc = None

    def _start(self, width, height):
        command = [
            shutil.which("ffmpeg") or "ffmpeg", "-y", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}",
            "-framerate", str(self.fps), "-i", "pipe:",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",  # H.264 in yuv420p needs even sizes
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mp4", self.tmp,
        ]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)

    def add(self, scene):
        scene.draw()
        if self.proc is None:
            self._start(*scene.canvas.get_width_height())
        try:
            self.proc.stdin.write(scene.canvas.buffer_rgba())
        except BrokenPipeError:  # ffmpeg stopped reading: report what it said
            self.close()
            raise

    def close(self):
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        error = self.proc.stderr.read().decode(errors="replace").strip()
        if self.proc.wait() != 0:
            last = error.splitlines()[-1] if error else f"exit code {self.proc.returncode}"
            raise XornetError(f"{self.path}: ffmpeg could not write the video ({last}); "
                              "write a .gif instead.")
        os.replace(self.tmp, self.target)
        self.tmp = None

    def discard(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.remove(self.tmp)


def _temp_beside(target, path, suffix):
    folder = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".xornet-", suffix=suffix, dir=folder)
    except OSError as e:
        raise XornetError(f"{path}: cannot write in {os.path.dirname(path) or '.'} "
                          f"({e.strerror}); give a path in a folder you can write to.") from None
    os.close(fd)
    os.chmod(tmp, 0o644)
    return tmp
