# Writes gguf-py-tensors.gguf with llama.cpp's own gguf-py writer (run from gguf-py/ of the llama.cpp bundle in node-llama-cpp 3.21.1),
# an independent reference for the reader: every KV type, a nested array, alignment 64, F32/F16/Q8_0 tensors.
import sys, os
sys.path.insert(0,'.')
import numpy as np
import gguf
from gguf import GGUFWriter, GGUFReader, GGMLQuantizationType
out='/work/main/core/src/test/resources/gguf/gguf-py-tensors.gguf'
w = GGUFWriter(out, 'llama')
w.add_custom_alignment(64)
w.add_name('tiny written by gguf-py')
w.add_uint8('test.u8', 200); w.add_int8('test.i8', -100)
w.add_uint16('test.u16', 60000); w.add_int16('test.i16', -30000)
w.add_uint32('test.u32', 4000000000); w.add_int32('test.i32', -2000000000)
w.add_uint64('test.u64', 2**63 + 5); w.add_int64('test.i64', -(2**62))
w.add_float32('test.f32', 1.5); w.add_float64('test.f64', -2.25)
w.add_bool('test.bool', True)
w.add_string('test.utf8', 'héllo ☃ 🦙')
w.add_array('test.nested', [[1,2,3],[4,5]])
w.add_array('test.strings', ['a','bb','ccc'])
rng = np.random.default_rng(42)
w.add_tensor('token_embd.weight', rng.standard_normal((16, 32)).astype(np.float32))
w.add_tensor('blk.0.attn_q.weight', rng.standard_normal((32, 32)).astype(np.float16))
q = gguf.quants.quantize(rng.standard_normal((8, 64)).astype(np.float32), GGMLQuantizationType.Q8_0)
w.add_tensor('blk.0.ffn_up.weight', q, raw_shape=q.shape, raw_dtype=GGMLQuantizationType.Q8_0)
w.add_tensor('output_norm.weight', rng.standard_normal((7,)).astype(np.float32))
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
r = GGUFReader(out)
print('size', os.path.getsize(out), 'data_offset', r.data_offset, 'align', r.alignment, 'kv', len(r.fields)-3, 'tensors', len(r.tensors))
for t in r.tensors: print(t.name, t.tensor_type.name, list(map(int,t.shape)), 'offset', t.data_offset - r.data_offset, 'bytes', t.n_bytes)
for k,f in r.fields.items(): print(k, f.types)
