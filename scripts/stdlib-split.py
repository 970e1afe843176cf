#!/usr/bin/env python3
"""Gives the objects of the Swift toolchain's static libraries a section per function, so
that the release link's order file can move their functions (docs/performance.md "Round 2,
sixth pass").

The code of libswiftCore.a's Swift.o is one 1.6 MB `.text` section, and so is the code of
each member of libFoundationEssentials.a and the other Swift libraries (only their inlinable
entry points have sections of their own). A linker places whole input sections, so
`--symbol-ordering-file` cannot move one function of them, and what swiftlet runs of them
is spread over all of it: over a mebibyte of resident text in every swiftlet process. This
script rewrites an object so that each function of its `.text` is a section of its own (a
"piece"); the ordinary link then orders them like ours.

  stdlib-split.py split IN.o OUT.o                  one object
  stdlib-split.py split-archive IN.a OUT.a WORKDIR  every member that can be split; the
                                                    others go in unchanged
  stdlib-split.py check BINARY MAP SPLIT_DIR        verify a binary linked with the archives
                                                    of SPLIT_DIR, through the link's map
                                                    (lld -Map; see below)

Why the rewrite is exact:
  * The section is cut at function symbols (STT_FUNC), and only where no function spans the
    cut. Each piece keeps the alignment its first byte had, so a link in the original order
    puts every byte where it was.
  * A reference between two functions of the section may have no relocation: the assembler
    resolved it (a call or a rip-relative lea of a local function). The disassembly of the
    section (llvm-objdump, from the toolchain) shows every pc-relative operand; where one
    crosses a cut, its displacement becomes a relocation against the target piece. A branch
    with an 8-bit displacement cannot be relocated: its cut is not made (a tail call to the
    next function stays in one piece with it).
  * References from elsewhere through the old section symbol (`.text + addend`) are pointed at
    the piece that holds their real target: the addend for data (absolute and relative
    pointers, .eh_frame); the addend plus the rest of the instruction for code; and for an
    entry of a jump table, the addend less the entry's distance from the table's start. A
    table starts where code takes the address of read-only data, and every entry must point
    into the function that uses the table.
  * Every target must be an instruction start; anything the analysis does not understand
    stops it, and that object goes into the archive unchanged.
`check` then proves it on the linked binary, whatever order the link chose: for every
reference the assembler had resolved, every reference into .text from the object's other
code and every jump-table entry, the address the binary holds must be where the same target
went (the link map gives each piece's address).
"""
import bisect
import os
import re
import shutil
import struct
import subprocess
import sys

SHT_SYMTAB, SHT_RELA, SHT_REL, SHT_GROUP, SHT_SYMTAB_SHNDX = 2, 4, 9, 17, 18
SHF_EXECINSTR, SHF_INFO_LINK = 0x4, 0x40
STT_FUNC, STT_SECTION = 2, 3
R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32 = 1, 2, 4
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
RELA = struct.Struct("<QQq")
PIECE = ".text.swift_split."
INSN = re.compile(r"^\s*([0-9a-f]+): ((?:[0-9a-f]{2} ?)+)\s*\t(.*)$")
BRANCH = re.compile(r"(call|jmp|j[a-z]{1,4}|loop[a-z]*|xbegin)q?(\s|$)")


class SplitError(Exception):
    pass


def pc_target(text):
    """("riprel" | "branch", absolute target) of an instruction's pc-relative operand, as
    llvm-objdump prints it; target None where it printed none (a zero displacement, which
    only a relocation may fill)."""
    if "(%rip)" in text:
        m = re.search(r"# 0x([0-9a-f]+)", text)
        return ("riprel", int(m.group(1), 16) if m else None)
    if BRANCH.match(text) and "*" not in text:
        m = re.match(r"\S+\s+0x([0-9a-f]+)(\s|$)", text)
        return ("branch", int(m.group(1), 16) if m else None)
    return None


class Section:
    def __init__(self, raw):
        (self.name_off, self.type, self.flags, self.addr, self.offset, self.size, self.link,
         self.info, self.align, self.entsize) = raw
        self.name = ""
        self.data = None   # new contents, appended to the file

    def pack(self):
        return SHDR.pack(self.name_off, self.type, self.flags, self.addr, self.offset, self.size,
                         self.link, self.info, self.align, self.entsize)


class Reference:
    """A pc-relative operand of .text that the assembler resolved (no relocation): the field
    at .text+field, ending its instruction at .text+end, pointing at .text+target."""
    def __init__(self, field, end, target, mnemonic):
        self.field, self.end, self.target, self.mnemonic = field, end, target, mnemonic


class StdlibObject:
    """An object read and analysed: its pieces, resolved references and jump tables."""

    def __init__(self, path):
        self.path = path
        self.blob = bytearray(open(path, "rb").read())
        self._read_headers()
        self._read_symbols()
        self._read_relocations()
        self._disassemble()
        self._cut()
        self._find_references()
        self._find_jump_tables()

    # -- reading ------------------------------------------------------------------------------
    def _read_headers(self):
        b = self.blob
        if b[:4] != b"\x7fELF" or b[4] != 2 or b[5] != 1 or struct.unpack_from("<HH", b, 16) != (1, 62):
            raise SplitError("not an x86-64 ELF64 relocatable object")
        shoff, = struct.unpack_from("<Q", b, 0x28)
        shentsize, shnum, self.shstrndx = struct.unpack_from("<HHH", b, 0x3A)
        if shnum == 0 or shentsize != SHDR.size:
            raise SplitError("unexpected section header table")
        self.secs = [Section(SHDR.unpack_from(b, shoff + i * SHDR.size)) for i in range(shnum)]
        names = self.secs[self.shstrndx]
        self.shstr = bytes(b[names.offset:names.offset + names.size])
        for s in self.secs:
            s.name = self.shstr[s.name_off:self.shstr.index(b"\0", s.name_off)].decode()
        if any(s.type in (SHT_GROUP, SHT_SYMTAB_SHNDX, SHT_REL) for s in self.secs):
            raise SplitError("section groups, extended section indices or REL relocations are not handled")
        if any(s.name == ".llvm_addrsig" for s in self.secs):
            raise SplitError(".llvm_addrsig is not handled")
        texts = [i for i, s in enumerate(self.secs) if s.name == ".text" and s.flags & SHF_EXECINSTR]
        if len(texts) != 1 or self.secs[texts[0]].size == 0:
            raise SplitError("not one non-empty .text section")
        self.text_idx = texts[0]
        self.text = self.secs[self.text_idx]
        self.text_size = self.text.size

    def _read_symbols(self):
        tabs = [i for i, s in enumerate(self.secs) if s.type == SHT_SYMTAB]
        if len(tabs) != 1:
            raise SplitError("not one symbol table")
        self.symtab_idx = tabs[0]
        st = self.secs[self.symtab_idx]
        self.syms = [list(SYM.unpack_from(self.blob, st.offset + i * SYM.size))
                     for i in range(st.size // SYM.size)]
        strtab = self.secs[st.link]
        self.strtab = bytes(self.blob[strtab.offset:strtab.offset + strtab.size])
        self.first_global = st.info
        found = [i for i in range(self.first_global)
                 if self.syms[i][1] & 0xF == STT_SECTION and self.syms[i][3] == self.text_idx]
        if len(found) != 1:
            raise SplitError("no single section symbol for .text")
        self.text_secsym = found[0]

    def sym_name(self, i):
        off = self.syms[i][0]
        return self.strtab[off:self.strtab.index(b"\0", off)].decode()

    def _read_relocations(self):
        self.relas = {}   # relocation section -> (section it applies to, [[off, sym, type, addend]])
        for i, s in enumerate(self.secs):
            if s.type != SHT_RELA:
                continue
            if s.link != self.symtab_idx:
                raise SplitError(f"{s.name} uses another symbol table")
            lst = []
            for k in range(s.size // RELA.size):
                off, info, add = RELA.unpack_from(self.blob, s.offset + k * RELA.size)
                lst.append([off, info >> 32, info & 0xFFFFFFFF, add])
            self.relas[i] = (s.info, lst)
        text_relas = [i for i, (t, _) in self.relas.items() if t == self.text_idx]
        if len(text_relas) != 1:
            raise SplitError("not one relocation section for .text")
        self.text_rela_idx = text_relas[0]

    def _disassemble(self):
        tool = shutil.which("llvm-objdump")
        if tool is None:
            raise SplitError("llvm-objdump (from the Swift toolchain) is not on PATH")
        out = subprocess.run([tool, "-d", "-z", self.path], check=True, capture_output=True,
                             text=True).stdout
        listing, cur = [], None
        for line in out.splitlines():
            if line.startswith("Disassembly of section "):
                cur = []
                listing.append((line[len("Disassembly of section "):-1], cur))
                continue
            m = INSN.match(line)
            if cur is not None and m is not None:
                raw = bytes.fromhex(m.group(2).replace(" ", ""))
                start = int(m.group(1), 16)
                cur.append((start, start + len(raw), raw, m.group(3).replace("\t", " ").strip()))
        code = [i for i, s in enumerate(self.secs) if s.flags & SHF_EXECINSTR and s.size > 0]
        if [n for n, _ in listing] != [self.secs[i].name for i in code]:
            raise SplitError("llvm-objdump's sections are not the object's code sections")
        self.insns = {i: lst for i, (_, lst) in zip(code, listing)}
        for i in code:
            covered = sum(e - s for s, e, _, _ in self.insns[i])
            if covered != self.secs[i].size:
                raise SplitError(f"the disassembly of {self.secs[i].name} covers {covered} of "
                                 f"{self.secs[i].size} bytes")
        self.insn_starts = {i: [s for s, _, _, _ in lst] for i, lst in self.insns.items()}
        self.text_insn_starts = set(self.insn_starts[self.text_idx])

    def insn_at(self, sec, off):
        k = bisect.bisect_right(self.insn_starts[sec], off) - 1
        s, e, raw, t = self.insns[sec][k]
        if not s <= off < e:
            raise SplitError(f"{self.secs[sec].name}+{off:#x} is not inside an instruction")
        return s, e, raw, t

    # -- analysis -----------------------------------------------------------------------------
    def _cut(self):
        funcs = [s for s in self.syms if s[3] == self.text_idx and s[1] & 0xF == STT_FUNC]
        starts = sorted({0} | {s[4] for s in funcs})
        for st in starts:
            if st not in self.text_insn_starts:
                raise SplitError(f"function start .text+{st:#x} is not an instruction start")
        # no cut inside a function (a symbol inside another function, or a size over the next)
        inside = set()
        for s in funcs:
            k = bisect.bisect_right(starts, s[4])
            while k < len(starts) and starts[k] < s[4] + s[5]:
                inside.add(starts[k])
                k += 1
        # no cut under a short branch
        for s_, e_, raw, t in self.insns[self.text_idx]:
            tgt = pc_target(t)
            if tgt is None or tgt[0] != "branch" or tgt[1] is None:
                continue
            if len(raw) >= 5 and struct.unpack_from("<i", raw, len(raw) - 4)[0] == tgt[1] - e_:
                continue
            lo, hi = min(s_, tgt[1]), max(s_, tgt[1])
            inside.update(starts[bisect.bisect_right(starts, lo):bisect.bisect_right(starts, hi)])
        self.starts = [c for c in starts if c not in inside]
        self.ends = self.starts[1:] + [self.text_size]

    def piece_of(self, off):
        if not 0 <= off < self.text_size:
            raise SplitError(f".text+{off:#x} is outside the section")
        return bisect.bisect_right(self.starts, off) - 1

    def _find_references(self):
        covered = sorted(r[0] for r in self.relas[self.text_rela_idx][1])
        self.references = []
        for s_, e_, raw, t in self.insns[self.text_idx]:
            tgt = pc_target(t)
            if tgt is None:
                continue
            k = bisect.bisect_left(covered, s_)
            if k < len(covered) and covered[k] < e_:
                continue   # a relocation fills this operand
            kind, target = tgt
            if target is None:
                raise SplitError(f"pc-relative operand at .text+{s_:#x} has neither a relocation "
                                 f"nor a target: {t}")
            if not 0 <= target < self.text_size or target not in self.text_insn_starts:
                raise SplitError(f".text+{s_:#x} resolves to .text+{target:#x}, not an instruction")
            disp = target - e_
            fields = [p for p in range(len(raw) - 3)
                      if struct.unpack_from("<i", raw, p)[0] == disp]
            if kind == "branch" and len(raw) >= 5 and fields and fields[-1] == len(raw) - 4:
                pos = len(raw) - 4
            elif kind == "riprel" and len(fields) == 1:
                pos = fields[0]
            elif kind == "branch":
                continue   # a short branch: its cut was not made
            else:
                raise SplitError(f"cannot find the displacement of .text+{s_:#x}: {t}")
            self.references.append(Reference(s_ + pos, e_, target, t.split()[0]))

    def _find_jump_tables(self):
        """self.tables: (data section, table start) -> (the instruction of .text taking its
        address: field offset, end; [(entry offset, target)])."""
        users = {}   # (data section, start) -> [(field, end)] in .text; None for code elsewhere
        for _, (code_sec, lst) in self.relas.items():
            if not self.secs[code_sec].flags & SHF_EXECINSTR:
                continue
            for off, sym, typ, add in lst:
                if typ != R_X86_64_PC32 or self.syms[sym][1] & 0xF != STT_SECTION:
                    continue
                dsec = self.syms[sym][3]
                if not self.secs[dsec].name.startswith(".rodata"):
                    continue
                _, e_, _, _ = self.insn_at(code_sec, off)
                where = (off, e_) if code_sec == self.text_idx else None
                users.setdefault((dsec, add + (e_ - off)), []).append(where)
        through_text = {}
        for _, (dsec, lst) in self.relas.items():
            d = through_text.setdefault(dsec, {})
            for off, sym, typ, add in lst:
                if sym == self.text_secsym and typ == R_X86_64_PC32:
                    d[off] = add
        self.tables, self.table_entry = {}, {}
        for (dsec, base), who in users.items():
            entries = through_text.get(dsec, {})
            if base not in entries:
                continue
            if None in who:
                raise SplitError(f"{self.secs[dsec].name}+{base:#x}: a jump table into .text used "
                                 f"by code outside it")
            off, found = base, []
            while off in entries and (off == base or (dsec, off) not in users):
                target = entries[off] - (off - base)
                if {self.piece_of(f) for f, _ in who} != {self.piece_of(target)}:
                    raise SplitError(f"jump table {self.secs[dsec].name}+{base:#x} points outside "
                                     f"the function that uses it (.text+{target:#x})")
                if target not in self.text_insn_starts:
                    raise SplitError(f"jump table {self.secs[dsec].name}+{base:#x} points into an "
                                     f"instruction (.text+{target:#x})")
                found.append((off, target))
                self.table_entry[(dsec, off)] = target
                off += 4
            self.tables[(dsec, base)] = (who[0], found)

    def target_of(self, rsec, applies_to, off, typ, add):
        """The real target in .text of a relocation through the .text section symbol."""
        if self.secs[applies_to].flags & SHF_EXECINSTR:
            _, e_, _, _ = self.insn_at(applies_to, off)
            target = add + (e_ - off)
        elif (applies_to, off) in self.table_entry:
            target = self.table_entry[(applies_to, off)]
        elif typ in (R_X86_64_64, R_X86_64_PC32):
            target = add
            if target not in self.text_insn_starts and target - 1 in self.text_insn_starts:
                target -= 1   # a relative pointer with a flag in its low bit
        else:
            raise SplitError(f"relocation type {typ} through .text in {self.secs[rsec].name}")
        if target not in self.text_insn_starts:
            raise SplitError(f"{self.secs[rsec].name}+{off:#x} points into .text+{target:#x}, "
                             f"not an instruction start")
        return target

    def within_piece(self, rsec, applies_to, rel):
        """A relocation through a symbol defined in .text must stay in that symbol's piece
        (the piece moves with the symbol): refused if symbol + addend leaves it."""
        off, sym, typ, add = rel
        if self.syms[sym][3] != self.text_idx:
            return
        value = self.syms[sym][4]
        target = value + add
        if self.secs[applies_to].flags & SHF_EXECINSTR:
            _, e_, _, _ = self.insn_at(applies_to, off)
            target += e_ - off
        if not 0 <= target < self.text_size or self.piece_of(target) != self.piece_of(value):
            raise SplitError(f"{self.secs[rsec].name}+{off:#x} reaches from {self.sym_name(sym)} "
                             f"into another piece")

    # -- writing ------------------------------------------------------------------------------
    def write_split(self, outp):
        secs, starts, ends = self.secs, self.starts, self.ends
        n_new = len(starts) - 1
        piece_sec = [self.text_idx] + [len(secs) + k for k in range(n_new)]
        piece_sym = [self.text_secsym] + [self.first_global + k for k in range(n_new)]
        blob = bytearray(self.blob)

        def renumber(sym):
            return sym if sym < self.first_global else sym + n_new

        retargeted = 0
        relas = {i: (t, [list(r) for r in lst]) for i, (t, lst) in self.relas.items()}
        for ri, (applies_to, lst) in relas.items():
            for r in lst:
                off, sym, typ, add = r
                if sym != self.text_secsym:
                    self.within_piece(ri, applies_to, r)
                    r[1] = renumber(sym)
                    continue
                p = self.piece_of(self.target_of(ri, applies_to, off, typ, add))
                r[1], r[3] = piece_sym[p], add - starts[p]
                retargeted += 1
        text_relocs = relas[self.text_rela_idx][1]
        made = 0
        for ref in self.references:
            p = self.piece_of(ref.target)
            if p == self.piece_of(ref.field):
                continue
            # the field holds target - end = S + A - field, so A = (target - S) - (end - field)
            typ = R_X86_64_PLT32 if ref.mnemonic.startswith(("call", "jmp")) else R_X86_64_PC32
            text_relocs.append([ref.field, piece_sym[p], typ,
                                (ref.target - starts[p]) - (ref.end - ref.field)])
            struct.pack_into("<I", blob, self.text.offset + ref.field, 0)
            made += 1
        per_piece = [[] for _ in starts]
        for off, sym, typ, add in text_relocs:
            p = self.piece_of(off)
            per_piece[p].append((off - starts[p], sym, typ, add))

        names = bytearray(self.shstr)

        def name(n):
            pos = len(names)
            names.extend(n.encode() + b"\0")
            return pos

        def rela_data(lst):
            return b"".join(RELA.pack(o, (s << 32) | t, a) for o, s, t, a in sorted(lst))

        pieces, piece_relas = [], []
        for k in range(1, len(starts)):
            sec = Section((name(f"{PIECE}{k}"), self.text.type, self.text.flags, 0,
                           self.text.offset + starts[k], ends[k] - starts[k], 0, 0, 1, 0))
            while sec.align < self.text.align and starts[k] % (sec.align * 2) == 0:
                sec.align *= 2
            pieces.append(sec)
            rel = Section((name(f".rela{PIECE}{k}"), SHT_RELA, SHF_INFO_LINK, 0, 0, 0,
                           self.symtab_idx, piece_sec[k], 8, RELA.size))
            rel.data = rela_data(per_piece[k])
            piece_relas.append(rel)
        for ri, (_, lst) in relas.items():
            secs[ri].data = rela_data(per_piece[0] if ri == self.text_rela_idx else lst)
        self.text.size = ends[0]
        # symbols defined in .text move to their piece; the pieces' section symbols are the
        # last locals
        syms = [list(s) for s in self.syms]
        for s in syms:
            if s[3] == self.text_idx and s[1] & 0xF != STT_SECTION:
                p = self.piece_of(s[4]) if s[4] < self.text_size else len(starts) - 1
                s[3], s[4] = piece_sec[p], s[4] - starts[p]
        new_syms = [[0, STT_SECTION, 0, piece_sec[k], 0, 0] for k in range(1, len(starts))]
        symtab = secs[self.symtab_idx]
        symtab.data = b"".join(SYM.pack(*s) for s in syms[:self.first_global] + new_syms
                               + syms[self.first_global:])
        symtab.info = self.first_global + n_new
        secs[self.shstrndx].data = bytes(names)   # new names appended; old offsets kept

        all_secs = secs + pieces + piece_relas
        if len(all_secs) >= 0xFF00:
            raise SplitError(f"{len(all_secs)} sections would need extended indices")
        for s in all_secs:
            if s.data is not None:
                blob.extend(b"\0" * (-len(blob) % 8))
                s.offset, s.size = len(blob), len(s.data)
                blob.extend(s.data)
        blob.extend(b"\0" * (-len(blob) % 8))
        struct.pack_into("<Q", blob, 0x28, len(blob))
        struct.pack_into("<H", blob, 0x3C, len(all_secs))
        blob.extend(b"".join(s.pack() for s in all_secs))
        with open(outp, "wb") as f:
            f.write(blob)
        return (f"{len(starts)} pieces; {retargeted} references through .text retargeted "
                f"({len(self.table_entry)} jump-table entries); {made} resolved references "
                f"made relocations")


class Binary:
    """A linked executable, its loaded bytes, and its link map (lld's -Map): the address of
    every code input section, by the object it came from ("DIR/lib.a(member.o)")."""

    MAP_LINE = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+\d+\s+(\S*):\((\.text[^)]*)\)$")

    def __init__(self, path, map_path):
        self.blob = open(path, "rb").read()
        b = self.blob
        if b[:4] != b"\x7fELF":
            raise SplitError(f"{path} is not an ELF file")
        phoff, = struct.unpack_from("<Q", b, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", b, 0x36)
        self.loads = []
        for i in range(phnum):
            typ, _, off, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", b, phoff + i * phentsize)
            if typ == 1:
                self.loads.append((vaddr, filesz, off))
        self.owners = {}      # object -> {input section name: address}
        self.ambiguous = set()   # objects with two input sections of one name
        for line in open(map_path):
            m = self.MAP_LINE.match(line)
            if m:
                secs = self.owners.setdefault(m.group(2), {})
                if m.group(3) in secs:
                    self.ambiguous.add(m.group(2))
                secs[m.group(3)] = int(m.group(1), 16)

    def file_offset(self, vaddr):
        """Where the 4 bytes at address `vaddr` are in the file."""
        for start, size, off in self.loads:
            if start <= vaddr and vaddr + 4 <= start + size:
                return off + vaddr - start
        raise SplitError(f"address {vaddr:#x} is not in the binary's loaded bytes")

    def read32(self, vaddr):
        return struct.unpack_from("<i", self.blob, self.file_offset(vaddr))[0]


def placement(obj, sections):
    """The binary's address of .text+off of the object, through the address the link map gives
    its piece; None for a piece the link left out."""
    def where(off):
        p = obj.piece_of(off)
        addr = sections.get(".text" if p == 0 else f"{PIECE}{p}")
        return None if addr is None else addr + off - obj.starts[p]
    return where


def check(obj, binary, sections):
    """Every resolved reference and jump-table entry of the object's .text, in the binary:
    the address it holds must be where the same target went. `sections` (from the link map)
    says where each piece went; a piece the link left out (unused) has nothing to check.
    Returns (references checked, table entries checked, references in pieces left out)."""
    where = placement(obj, sections)
    checked = absent = 0
    for ref in obj.references:
        field, target = where(ref.field), where(ref.target)
        if field is None:
            absent += 1
            continue
        if target is None:
            raise SplitError(f"the reference at .text+{ref.field:#x} points at a piece the link left out")
        got = field + (ref.end - ref.field) + binary.read32(field)
        if got != target:
            raise SplitError(f"the reference at .text+{ref.field:#x} ({ref.mnemonic}) points at "
                             f"{got:#x} in the binary, not {target:#x} (.text+{ref.target:#x})")
        checked += 1
    # the object's other code (its inlinable functions' sections) reaching into .text
    for ri, (code_sec, lst) in obj.relas.items():
        name = obj.secs[code_sec].name
        if code_sec == obj.text_idx or not obj.secs[code_sec].flags & SHF_EXECINSTR \
                or name not in sections:
            continue
        for off, sym, typ, add in lst:
            if sym != obj.text_secsym:
                continue
            target = where(obj.target_of(ri, code_sec, off, typ, add))
            field = sections[name] + off
            _, e_, _, _ = obj.insn_at(code_sec, off)
            got = field + (e_ - off) + binary.read32(field)
            if got != target:
                raise SplitError(f"{name}+{off:#x} points at {got:#x} in the binary, not {target:#x}")
            checked += 1
    entries = 0
    for (dsec, base), ((field_off, end_off), found) in obj.tables.items():
        field = where(field_off)
        if field is None:
            continue
        start = field + (end_off - field_off) + binary.read32(field)
        for off, target_off in found:
            got = start + binary.read32(start + (off - base))
            if got != where(target_off):
                raise SplitError(f"jump table {obj.secs[dsec].name}+{base:#x}: the entry at "
                                 f"+{off - base:#x} points at {got:#x}, not {where(target_off):#x}")
            entries += 1
    return checked, entries, absent


def ar_members(path):
    """The members of a GNU/System V archive in order: [(name, bytes)]. Names may repeat
    (libswiftCore.a has two Errors.cpp.o), which `ar x` cannot extract."""
    blob = open(path, "rb").read()
    if not blob.startswith(b"!<arch>\n"):
        raise SplitError(f"{path} is not an ar archive")
    pos, longnames, members = 8, b"", []
    while pos < len(blob):
        header = blob[pos:pos + 60]
        if len(header) < 60 or header[58:60] != b"`\n":
            raise SplitError(f"{path}: bad member header at {pos}")
        name, size = header[:16].decode().rstrip(), int(header[48:58].decode())
        data = blob[pos + 60:pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name in ("/", "/SYM64/"):
            continue   # the symbol index: `llvm-ar s` writes a new one
        if name == "//":
            longnames = data
            continue
        if name.startswith("/") and name[1:].isdigit():
            off = int(name[1:])
            name = longnames[off:longnames.index(b"/\n", off)].decode()
        elif name.endswith("/"):
            name = name[:-1]
        if not name or "/" in name:
            raise SplitError(f"{path}: member name {name!r}")
        members.append((name, data))
    return members


def split_archive(inp, outp, work):
    """A copy of the archive IN with every member split that can be; a member that cannot
    (no code of its own, something the analysis does not handle, or a name another member
    has too) goes in unchanged. The members keep their order. WORK/orig keeps the originals
    of the split ones, for `check`."""
    ar = shutil.which("llvm-ar")
    if ar is None:
        raise SplitError("llvm-ar (from the Swift toolchain) is not on PATH")
    members = ar_members(inp)
    names = [n for n, _ in members]
    orig, out = os.path.join(work, "orig"), os.path.join(work, "split")
    os.makedirs(orig)
    kept, paths = {}, []
    for k, (name, data) in enumerate(members):
        # each member in a directory of its own: the archive is written from these paths
        d = os.path.join(out, f"{k:04d}")
        os.makedirs(d)
        path = os.path.join(d, name)
        paths.append(path)
        try:
            if names.count(name) > 1:
                raise SplitError("a name another member has too")
            with open(os.path.join(orig, name), "wb") as f:
                f.write(data)
            StdlibObject(os.path.join(orig, name)).write_split(path)
        except SplitError as e:
            reason = re.sub(r"[.+]\w*\+0x[0-9a-f]+|0x[0-9a-f]+|\.rodata\S*", "…", str(e))
            kept.setdefault(reason, []).append(name)
            with open(path, "wb") as f:
                f.write(data)
    if os.path.exists(outp):
        os.unlink(outp)
    subprocess.run([ar, "qcs", outp] + paths, check=True)   # q: appends, names may repeat
    n_kept = sum(len(v) for v in kept.values())
    lines = [f"{os.path.basename(inp)}: {len(members) - n_kept} of {len(members)} members split"]
    for reason, ms in sorted(kept.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  kept as they are: {len(ms)} ({reason}): {', '.join(ms[:4])}"
                     + (", ..." if len(ms) > 4 else ""))
    return "\n".join(lines)


def check_binary(binary_path, map_path, split_dir):
    """`check` for every split member the link took from the archives in SPLIT_DIR (each
    archive DIR/NAME.a with its original members in DIR/NAME/orig)."""
    binary = Binary(binary_path, map_path)
    split_dir = os.path.realpath(split_dir)
    totals, objects, proven = [0, 0, 0], 0, None
    for owner, sections in sorted(binary.owners.items()):
        m = re.fullmatch(r"(.*)/([^/]+)\.a\(([^()/]+)\)", owner)
        if m is None or os.path.realpath(m.group(1)) != split_dir:
            continue
        if not any(n.startswith(PIECE) for n in sections):
            continue   # not split: the toolchain's bytes
        if owner in binary.ambiguous:
            raise SplitError(f"{map_path}: {owner} has two input sections of one name")
        obj = StdlibObject(os.path.join(split_dir, m.group(2), "orig", m.group(3)))
        try:
            result = check(obj, binary, sections)
        except SplitError as e:
            raise SplitError(f"{m.group(2)}.a({m.group(3)}): {e}")
        totals = [t + r for t, r in zip(totals, result)]
        objects += 1
        if proven is None:
            proven = can_fail(obj, binary, sections)
    if objects == 0:
        raise SplitError(f"the link took no split object from {split_dir}")
    if proven is None:
        raise SplitError("no object had a reference across a cut and a jump table to show that "
                         "the check can fail")
    return (f"{objects} split objects in the binary: {totals[0]} references between their "
            f"functions or into them from other code, and {totals[1]} jump-table entries, hold "
            f"the same targets as in the toolchain's objects ({totals[2]} in pieces the link "
            f"left out); {proven}")


def can_fail(obj, binary, sections):
    """The check itself, shown to fail: a copy of the binary with one reference across a cut,
    then one jump-table entry, moved by 16 bytes must not pass. None if the object has no
    such reference or table in the binary."""
    where = placement(obj, sections)
    ref = next((r for r in obj.references if obj.piece_of(r.field) != obj.piece_of(r.target)
                and where(r.field) is not None), None)
    table = next((t for t in obj.tables.values() if where(t[0][0]) is not None and t[1]), None)
    if ref is None or table is None:
        return None
    (field_off, end_off), _ = table
    field = where(field_off)
    entry = field + (end_off - field_off) + binary.read32(field)
    for vaddr in (where(ref.field), entry):
        bad = Binary.__new__(Binary)
        bad.loads, bad.blob = binary.loads, bytearray(binary.blob)
        struct.pack_into("<i", bad.blob, binary.file_offset(vaddr), binary.read32(vaddr) + 16)
        try:
            check(obj, bad, sections)
        except SplitError:
            continue
        raise SplitError(f"the check passed a binary with a corrupted reference at {vaddr:#x}")
    return "a copy with a moved reference, and one with a moved jump-table entry, failed it"


def main():
    usage = ("usage: stdlib-split.py split IN.o OUT.o | split-archive IN.a OUT.a WORKDIR"
             " | check BINARY MAP SPLIT_DIR")
    cmd, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if (cmd, len(args)) not in (("split", 2), ("split-archive", 3), ("check", 3)):
        print(usage, file=sys.stderr)
        return 2
    try:
        if cmd == "split":
            result = StdlibObject(args[0]).write_split(args[1])
        elif cmd == "split-archive":
            result = split_archive(*args)
        else:
            result = check_binary(*args)
    except (SplitError, subprocess.CalledProcessError, OSError) as e:
        print(f"stdlib-split.py {cmd}: {e}", file=sys.stderr)
        return 1
    print(f"stdlib-split.py {cmd}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
