"""Reads an ESC/POS print job back, command by command, as a printer would: what it initialised,
every raster band (checked), the feed and the cut, and the picture the bands make together."""
from dataclasses import dataclass, field

from PIL import Image


class BadStream(AssertionError):
    pass


@dataclass
class Job:
    commands: list = field(default_factory=list)   # ("init",), ("raster", x_bytes, rows), ("feed", n), ("cut", m, n)
    bands: list = field(default_factory=list)      # (x_bytes, rows, data)

    def image(self) -> Image.Image:
        """The bands stacked, mode "1" with 0 = a burnt dot (like the renderer's image)."""
        widths = {b[0] for b in self.bands}
        if len(widths) != 1:
            raise BadStream(f"bands of different widths: {widths}")
        x_bytes = widths.pop()
        rows = sum(b[1] for b in self.bands)
        data = b"".join(b[2] for b in self.bands)
        # In GS v 0 a set bit prints; in Pillow's mode "1" a set bit is white: invert.
        return Image.frombytes("1", (x_bytes * 8, rows), bytes(255 - c for c in data))


def read(stream: bytes) -> Job:
    job, i, n = Job(), 0, len(stream)
    while i < n:
        if stream.startswith(b"\x1b@", i):
            job.commands.append(("init",))
            i += 2
        elif stream.startswith(b"\x1dv0", i):
            if i + 8 > n:
                raise BadStream(f"GS v 0 header cut short at {i}")
            mode = stream[i + 3]
            x_bytes = stream[i + 4] | stream[i + 5] << 8
            rows = stream[i + 6] | stream[i + 7] << 8
            if mode not in (0, 48):
                raise BadStream(f"GS v 0 mode {mode} (scaled) at {i}")
            if not (1 <= x_bytes and 1 <= rows):
                raise BadStream(f"empty band at {i}")
            end = i + 8 + x_bytes * rows
            if end > n:
                raise BadStream(f"band at {i} says {x_bytes}x{rows} bytes but the stream ends first")
            job.commands.append(("raster", x_bytes, rows))
            job.bands.append((x_bytes, rows, stream[i + 8:end]))
            i = end
        elif stream.startswith(b"\x1bd", i):
            job.commands.append(("feed", stream[i + 2]))
            i += 3
        elif stream.startswith(b"\x1dV", i):
            m = stream[i + 2]
            if m in (65, 66):  # function B: a count follows
                job.commands.append(("cut", m, stream[i + 3]))
                i += 4
            else:
                job.commands.append(("cut", m))
                i += 3
        else:
            raise BadStream(f"unknown byte 0x{stream[i]:02x} at {i}: it would print as text")
    return job
