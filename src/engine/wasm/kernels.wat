;; finn-ts engine kernels (hand-written WebAssembly text; compiled by scripts/build-wasm.ts with wabt).
;; All pointers are byte offsets into the imported arena memory. Semantics are documented in src/engine/kernels.ts,
;; whose pure-TypeScript implementation gives identical results.
(module
  (import "env" "memory" (memory 1))

  ;; Disagreeing bits of one x row against four weight rows (w64 64-bit words each; rows `stride` bytes apart).
  (func $dist4 (param $xr i32) (param $w0 i32) (param $stride i32) (param $w64 i32) (result i32 i32 i32 i32)
    (local $i i32) (local $xv i64) (local $o i32)
    (local $d0 i64) (local $d1 i64) (local $d2 i64) (local $d3 i64)
    (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local.set $w1 (i32.add (local.get $w0) (local.get $stride)))
    (local.set $w2 (i32.add (local.get $w1) (local.get $stride)))
    (local.set $w3 (i32.add (local.get $w2) (local.get $stride)))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $i) (local.get $w64)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $xv (i64.load (i32.add (local.get $xr) (local.get $o))))
        (local.set $d0 (i64.add (local.get $d0) (i64.popcnt (i64.xor (local.get $xv) (i64.load (i32.add (local.get $w0) (local.get $o)))))))
        (local.set $d1 (i64.add (local.get $d1) (i64.popcnt (i64.xor (local.get $xv) (i64.load (i32.add (local.get $w1) (local.get $o)))))))
        (local.set $d2 (i64.add (local.get $d2) (i64.popcnt (i64.xor (local.get $xv) (i64.load (i32.add (local.get $w2) (local.get $o)))))))
        (local.set $d3 (i64.add (local.get $d3) (i64.popcnt (i64.xor (local.get $xv) (i64.load (i32.add (local.get $w3) (local.get $o)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $words)))
    (i32.wrap_i64 (local.get $d0)) (i32.wrap_i64 (local.get $d1)) (i32.wrap_i64 (local.get $d2)) (i32.wrap_i64 (local.get $d3)))

  ;; Disagreeing bits of one x row against one weight row.
  (func $dist1 (param $xr i32) (param $w0 i32) (param $w64 i32) (result i32)
    (local $i i32) (local $o i32) (local $d i64)
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $i) (local.get $w64)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $d (i64.add (local.get $d) (i64.popcnt (i64.xor
          (i64.load (i32.add (local.get $xr) (local.get $o))) (i64.load (i32.add (local.get $w0) (local.get $o)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $words)))
    (i32.wrap_i64 (local.get $d)))

  ;; out i32 [rows, n] = k − popcount(x[r] ⊕ w[j]); words = u32 words per row (even).
  (func (export "xnor_acc") (param $x i32) (param $rows i32) (param $w i32) (param $n i32) (param $words i32) (param $k i32) (param $out i32)
    (local $r i32) (local $j i32) (local $xr i32) (local $stride i32) (local $w64 i32) (local $n4 i32) (local $o i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local.set $stride (i32.shl (local.get $words) (i32.const 2)))
    (local.set $w64 (i32.shr_u (local.get $words) (i32.const 1)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $j (i32.const 0))
        (block $b4
          (loop $l4
            (br_if $b4 (i32.ge_u (local.get $j) (local.get $n4)))
            (call $dist4 (local.get $xr) (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $stride))) (local.get $stride) (local.get $w64))
            (local.set $d) (local.set $c) (local.set $b) (local.set $a)
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 2))))
            (i32.store (local.get $o) (i32.sub (local.get $k) (local.get $a)))
            (i32.store offset=4 (local.get $o) (i32.sub (local.get $k) (local.get $b)))
            (i32.store offset=8 (local.get $o) (i32.sub (local.get $k) (local.get $c)))
            (i32.store offset=12 (local.get $o) (i32.sub (local.get $k) (local.get $d)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $l4)))
        (block $b1
          (loop $l1
            (br_if $b1 (i32.ge_u (local.get $j) (local.get $n)))
            (i32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 2)))
              (i32.sub (local.get $k) (call $dist1 (local.get $xr) (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $stride))) (local.get $w64))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $l1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Bits out [rows, outWords]: bit j of row r = (k − popcount(x[r] ⊕ w[j]) ≥ thr[j]).
  (func (export "xnor_thr_bits") (param $x i32) (param $rows i32) (param $w i32) (param $n i32) (param $words i32) (param $k i32)
        (param $thr i32) (param $out i32) (param $outWords i32)
    (local $r i32) (local $j i32) (local $xr i32) (local $stride i32) (local $w64 i32) (local $n4 i32) (local $acc i64)
    (local $orow i32) (local $t i32) (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $sh i64)
    (local.set $stride (i32.shl (local.get $words) (i32.const 2)))
    (local.set $w64 (i32.shr_u (local.get $words) (i32.const 1)))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $orow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $outWords)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (local.set $acc (i64.const 0))
        (block $b4
          (loop $l4
            (br_if $b4 (i32.ge_u (local.get $j) (local.get $n4)))
            (call $dist4 (local.get $xr) (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $stride))) (local.get $stride) (local.get $w64))
            (local.set $d) (local.set $c) (local.set $b) (local.set $a)
            (local.set $t (i32.add (local.get $thr) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $sh (i64.extend_i32_u (i32.and (local.get $j) (i32.const 63))))
            (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u (i32.or
              (i32.or (i32.ge_s (i32.sub (local.get $k) (local.get $a)) (i32.load (local.get $t)))
                      (i32.shl (i32.ge_s (i32.sub (local.get $k) (local.get $b)) (i32.load offset=4 (local.get $t))) (i32.const 1)))
              (i32.or (i32.shl (i32.ge_s (i32.sub (local.get $k) (local.get $c)) (i32.load offset=8 (local.get $t))) (i32.const 2))
                      (i32.shl (i32.ge_s (i32.sub (local.get $k) (local.get $d)) (i32.load offset=12 (local.get $t))) (i32.const 3)))))
              (local.get $sh))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (if (i32.eqz (i32.and (local.get $j) (i32.const 63)))
              (then
                (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (i32.sub (local.get $j) (i32.const 1)) (i32.const 6)) (i32.const 3))) (local.get $acc))
                (local.set $acc (i64.const 0))))
            (br $l4)))
        (block $b1
          (loop $l1
            (br_if $b1 (i32.ge_u (local.get $j) (local.get $n)))
            (if (i32.ge_s (i32.sub (local.get $k) (call $dist1 (local.get $xr) (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $stride))) (local.get $w64)))
                          (i32.load (i32.add (local.get $thr) (i32.shl (local.get $j) (i32.const 2)))))
              (then (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.const 1) (i64.extend_i32_u (i32.and (local.get $j) (i32.const 63))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (if (i32.eqz (i32.and (local.get $j) (i32.const 63)))
              (then
                (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (i32.sub (local.get $j) (i32.const 1)) (i32.const 6)) (i32.const 3))) (local.get $acc))
                (local.set $acc (i64.const 0))))
            (br $l1)))
        ;; the last, partly filled 64-bit word
        (if (i32.and (local.get $n) (i32.const 63))
          (then (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (local.get $n) (i32.const 6)) (i32.const 3))) (local.get $acc))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; out i32 [rows, n] = Σ x[r, k]·w[j, k] on int16 rows of kp (a multiple of 8) values.
  (func (export "dot_i16") (param $x i32) (param $rows i32) (param $w i32) (param $n i32) (param $kp i32) (param $out i32)
    (local $r i32) (local $j i32) (local $i i32) (local $xr i32) (local $wj i32) (local $stride i32) (local $acc v128) (local $o i32)
    (local.set $stride (i32.shl (local.get $kp) (i32.const 1)))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $col
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $wj (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $stride))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $i (i32.const 0))
            (block $k_done
              (loop $kk
                (br_if $k_done (i32.ge_u (local.get $i) (local.get $stride)))
                (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s
                  (v128.load (i32.add (local.get $xr) (local.get $i))) (v128.load (i32.add (local.get $wj) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $kk)))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $j)) (i32.const 2))))
            (i32.store (local.get $o) (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
              (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $col)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Sixteen float64 compares x[i] ≥ t[i] → a 16-bit mask (bit i for element i). A compare gives all-ones/all-zeros
  ;; 64-bit lanes; saturating narrows (64→32-bit pairs as i32 → i16, then → i8, then the byte pairs as i16 → i8)
  ;; leave one byte per element in order, whose sign bits are the mask. Written out: Node 20's V8 inlines no calls.
  (func $ge16 (param $xp i32) (param $tp i32) (result i32)
    (i8x16.bitmask (i8x16.narrow_i16x8_s
      (i8x16.narrow_i16x8_s
        (i16x8.narrow_i32x4_s
          (f64x2.ge (v128.load offset=0 (local.get $xp)) (v128.load offset=0 (local.get $tp)))
          (f64x2.ge (v128.load offset=16 (local.get $xp)) (v128.load offset=16 (local.get $tp))))
        (i16x8.narrow_i32x4_s
          (f64x2.ge (v128.load offset=32 (local.get $xp)) (v128.load offset=32 (local.get $tp)))
          (f64x2.ge (v128.load offset=48 (local.get $xp)) (v128.load offset=48 (local.get $tp)))))
      (i8x16.narrow_i16x8_s
        (i16x8.narrow_i32x4_s
          (f64x2.ge (v128.load offset=64 (local.get $xp)) (v128.load offset=64 (local.get $tp)))
          (f64x2.ge (v128.load offset=80 (local.get $xp)) (v128.load offset=80 (local.get $tp))))
        (i16x8.narrow_i32x4_s
          (f64x2.ge (v128.load offset=96 (local.get $xp)) (v128.load offset=96 (local.get $tp)))
          (f64x2.ge (v128.load offset=112 (local.get $xp)) (v128.load offset=112 (local.get $tp))))))))

  ;; Bits out [rows, outWords]: bit j of row r = (x[r, j] ≥ thr[j]) on float64 values (sixteen, then two lanes per step).
  (func (export "ge_bits_f64") (param $x i32) (param $rows i32) (param $c i32) (param $thr i32) (param $out i32) (param $outWords i32)
    (local $r i32) (local $j i32) (local $xr i32) (local $orow i32) (local $acc i64) (local $c2 i32) (local $c16 i32)
    (local.set $c2 (i32.and (local.get $c) (i32.const -2)))
    (local.set $c16 (i32.and (local.get $c) (i32.const -16)))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xr (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $c)) (i32.const 3))))
        (local.set $orow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $outWords)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (local.set $acc (i64.const 0))
        (block $b16
          (loop $l16
            (br_if $b16 (i32.ge_u (local.get $j) (local.get $c16)))
            (local.set $acc (i64.or (local.get $acc) (i64.shl
              (i64.extend_i32_u (call $ge16 (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 3))) (i32.add (local.get $thr) (i32.shl (local.get $j) (i32.const 3)))))
              (i64.extend_i32_u (i32.and (local.get $j) (i32.const 63))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (if (i32.eqz (i32.and (local.get $j) (i32.const 63)))
              (then
                (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (i32.sub (local.get $j) (i32.const 1)) (i32.const 6)) (i32.const 3))) (local.get $acc))
                (local.set $acc (i64.const 0))))
            (br $l16)))
        (block $b2
          (loop $l2
            (br_if $b2 (i32.ge_u (local.get $j) (local.get $c2)))
            (local.set $acc (i64.or (local.get $acc) (i64.shl
              (i64.extend_i32_u (i64x2.bitmask (f64x2.ge
                (v128.load (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 3))))
                (v128.load (i32.add (local.get $thr) (i32.shl (local.get $j) (i32.const 3)))))))
              (i64.extend_i32_u (i32.and (local.get $j) (i32.const 63))))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (if (i32.eqz (i32.and (local.get $j) (i32.const 63)))
              (then
                (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (i32.sub (local.get $j) (i32.const 1)) (i32.const 6)) (i32.const 3))) (local.get $acc))
                (local.set $acc (i64.const 0))))
            (br $l2)))
        (if (i32.lt_u (local.get $j) (local.get $c))
          (then (if (f64.ge (f64.load (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 3))))
                            (f64.load (i32.add (local.get $thr) (i32.shl (local.get $j) (i32.const 3)))))
            (then (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.const 1) (i64.extend_i32_u (i32.and (local.get $j) (i32.const 63))))))))))
        (if (i32.and (local.get $c) (i32.const 63))
          (then (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (local.get $c) (i32.const 6)) (i32.const 3))) (local.get $acc))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; The same on int32 values (four lanes per step).
  (func (export "ge_bits_i32") (param $x i32) (param $rows i32) (param $c i32) (param $thr i32) (param $out i32) (param $outWords i32)
    (local $r i32) (local $j i32) (local $xr i32) (local $orow i32) (local $acc i64) (local $c4 i32)
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xr (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $c)) (i32.const 2))))
        (local.set $orow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $outWords)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (local.set $acc (i64.const 0))
        (block $b4
          (loop $l4
            (br_if $b4 (i32.ge_u (local.get $j) (local.get $c4)))
            (local.set $acc (i64.or (local.get $acc) (i64.shl
              (i64.extend_i32_u (i32x4.bitmask (i32x4.ge_s
                (v128.load (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 2))))
                (v128.load (i32.add (local.get $thr) (i32.shl (local.get $j) (i32.const 2)))))))
              (i64.extend_i32_u (i32.and (local.get $j) (i32.const 63))))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (if (i32.eqz (i32.and (local.get $j) (i32.const 63)))
              (then
                (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (i32.sub (local.get $j) (i32.const 1)) (i32.const 6)) (i32.const 3))) (local.get $acc))
                (local.set $acc (i64.const 0))))
            (br $l4)))
        (block $b1
          (loop $l1
            (br_if $b1 (i32.ge_u (local.get $j) (local.get $c)))
            (if (i32.ge_s (i32.load (i32.add (local.get $xr) (i32.shl (local.get $j) (i32.const 2))))
                          (i32.load (i32.add (local.get $thr) (i32.shl (local.get $j) (i32.const 2)))))
              (then (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.const 1) (i64.extend_i32_u (i32.and (local.get $j) (i32.const 63))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $l1)))
        (if (i32.and (local.get $c) (i32.const 63))
          (then (i64.store (i32.add (local.get $orow) (i32.shl (i32.shr_u (local.get $c) (i32.const 6)) (i32.const 3))) (local.get $acc))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
