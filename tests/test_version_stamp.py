"""The version stamp beside an on-disk store: read from a mapping, never stale, never half of a write."""

from __future__ import annotations

import os
import subprocess
import sys

from kg.store import stamp
from kg.store.oxigraph import OxigraphStore

WRITER = """
import sys
from kg.store import stamp
for _ in range(int(sys.argv[2])):
    stamp.bump(sys.argv[1])
"""
# The same, writing each (number, time) it stamped to the file argv[3] once done, one repr a line.
RECORDING_WRITER = """
import sys
from kg.store import stamp
written = [stamp.bump(sys.argv[1]) for _ in range(int(sys.argv[2]))]
with open(sys.argv[3], "w") as out:
    out.writelines(f"{number!r} {modified!r}\\n" for number, modified in written)
"""


def test_a_reader_sees_each_write_of_another_process_at_once(tmp_path):
    store = tmp_path / "store"
    first = stamp.bump(store)
    assert stamp.read(store) == first  # now mapped by this process
    subprocess.run([sys.executable, "-c", WRITER, str(store), "1"], check=True)
    assert stamp.read(store)[0] > first[0]


def test_readers_never_take_half_of_a_stamp_while_another_process_writes(tmp_path):
    store, log = tmp_path / "store", tmp_path / "written"
    written = {stamp.bump(store)}
    writer = subprocess.Popen([sys.executable, "-c", RECORDING_WRITER, str(store), "3000", str(log)])
    seen = []
    while writer.poll() is None:
        seen.append(stamp.read(store))
    assert writer.wait() == 0
    seen.append(stamp.read(store))
    numbers = [number for number, _ in seen]
    back = next((at for at in range(1, len(numbers)) if numbers[at] < numbers[at - 1]), None)
    # never back to an older version (what was read around the first step back, if one was taken)
    assert back is None, (back, len(seen), seen[max(0, back - 3):back + 3])
    # Each (number, time) pair read is one a write made, whole. (Not judged by the clock: a VM's clock may
    # be stepped back while the writer runs, and the number never goes back with it.)
    for line in log.read_text().splitlines():
        number, modified = line.split()
        written.add((int(number), float(modified)))
    assert set(seen) <= written


def test_a_stamp_replaced_whole_or_removed_is_read_anew(tmp_path):
    store = tmp_path / "store"
    stamp.bump(store)
    assert stamp.read(store) is not None  # mapped
    older = tmp_path / "older"
    older.write_text("42 1700000000.5\n")  # as an older kg writes it: a whole file, swapped in
    os.replace(older, stamp.stamp_path(store))
    assert stamp.read(store) == (42, 1700000000.5)
    assert stamp.bump(store)[0] > 42 and stamp.read(store)[0] > 42
    stamp.stamp_path(store).unlink()  # the store removed (and later made again at the same place)
    assert stamp.read(store) is None
    made_again = stamp.bump(store)
    assert stamp.read(store) == made_again


def test_a_write_whose_stamp_cannot_be_updated_stands_and_other_processes_still_see_it(tmp_path, caplog):
    """The write is committed before the stamp: a failure there is logged, not raised as if nothing was
    written, and readers go by the store's files instead of a stamp that no longer tells the truth."""
    path = tmp_path / "store"
    with OxigraphStore(path) as writer:
        stamp_file = stamp.stamp_path(path)
        stamp_file.write_text("42 1700000000.5\n")  # as an older kg writes it: replaced whole on each write
        stamp_file.with_name(stamp_file.name + ".partial").mkdir()  # so the replacement cannot be written
        with OxigraphStore(path, read_only=True) as reader:
            writer.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }")
            assert "version stamp could not be updated" in caplog.text
            assert reader.reopen_if_changed()
            assert reader.count() == 1
