"""The FIT CRC-16 (the FIT SDK's nibble-table algorithm; also known as CRC-16/ARC).

Header CRCs cover the first 12 header bytes; the file CRC covers the header and all records.
"""

from __future__ import annotations

#: The FIT SDK's table: the CRC of each 4-bit value.
_NIBBLE_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip


def _nibble_step(crc: int, nibble: int) -> int:
    return ((crc >> 4) & 0x0FFF) ^ _NIBBLE_TABLE[crc & 0xF] ^ _NIBBLE_TABLE[nibble]


def _byte_step(crc: int, byte: int) -> int:
    return _nibble_step(_nibble_step(crc, byte & 0xF), byte >> 4)


# One lookup per byte instead of two nibble steps: the same CRC, about twice as fast in Python.
_BYTE_TABLE = tuple(_byte_step(0, byte) for byte in range(256))


def crc16(data: bytes, crc: int = 0) -> int:
    """The FIT CRC of ``data``, continuing from ``crc`` (so a file can be checked in chunks)."""
    table = _BYTE_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc
