"""ctypes binding of libactortrain_native's attention C ABI (native/include/actortrain/actortrain.h)
for CUDA tensors, so that the device machine, which has PyTorch but no .NET, can check and time the
CUDA kernels. Every call's status is checked; a failure raises with the library's own message."""
import ctypes

import torch

AT_OK = 0
AT_DTYPE_BF16, AT_DTYPE_F16 = 1, 2
AT_DEVICE_CUDA = 1
DTYPES = {torch.float32: 0, torch.bfloat16: AT_DTYPE_BF16, torch.float16: AT_DTYPE_F16}


class Tensor4(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("strides", ctypes.c_int64 * 4)]


class Params(ctypes.Structure):
    _fields_ = [
        ("dtype", ctypes.c_int32), ("device", ctypes.c_int32),
        ("batch", ctypes.c_int64), ("heads", ctypes.c_int64), ("q_len", ctypes.c_int64),
        ("kv_len", ctypes.c_int64), ("head_dim", ctypes.c_int64),
        ("scale", ctypes.c_float), ("causal", ctypes.c_int32), ("causal_offset", ctypes.c_int64),
        ("key_lengths", ctypes.c_void_p), ("num_threads", ctypes.c_int32),
        ("q", Tensor4), ("k", Tensor4), ("v", Tensor4), ("out", Tensor4),
        ("lse", ctypes.c_void_p), ("lse_strides", ctypes.c_int64 * 3),
        ("d_out", Tensor4), ("dq", Tensor4), ("dk", Tensor4), ("dv", Tensor4),
    ]


class NativeError(RuntimeError):
    def __init__(self, status, message):
        super().__init__(f"status {status}: {message}")
        self.status = status
        self.message = message


class NativeAttention:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.at_last_error.restype = ctypes.c_char_p
        self.lib.at_attention_params_size.restype = ctypes.c_int64
        self.lib.at_attention_forward.argtypes = [ctypes.POINTER(Params)]
        self.lib.at_attention_backward.argtypes = [ctypes.POINTER(Params)]
        size = self.lib.at_attention_params_size()
        if size != ctypes.sizeof(Params):
            raise RuntimeError(f"at_attention_params is {size} bytes in the library, {ctypes.sizeof(Params)} here")
        if self.lib.at_abi_version() != 4:
            raise RuntimeError(f"library ABI {self.lib.at_abi_version()}, this binding speaks 4")
        if self.lib.at_cuda_compiled() != 1:
            raise RuntimeError("the library was built without CUDA kernels")

    @staticmethod
    def _view(t):
        return Tensor4(t.data_ptr(), (ctypes.c_int64 * 4)(*t.stride()))

    def params(self, q, k, v, out, lse, causal, key_lengths=None, causal_offset=0, scale=None):
        p = Params()
        p.dtype = DTYPES.get(q.dtype, 99)
        p.device = AT_DEVICE_CUDA
        p.batch, p.heads, p.q_len, p.head_dim = q.shape
        p.kv_len = k.shape[2]
        p.scale = scale if scale is not None else q.shape[-1] ** -0.5
        p.causal = 1 if causal else 0
        p.causal_offset = causal_offset
        p.key_lengths = key_lengths.data_ptr() if key_lengths is not None else None
        p.num_threads = 1
        p.q, p.k, p.v, p.out = self._view(q), self._view(k), self._view(v), self._view(out)
        p.lse = lse.data_ptr() if lse is not None else None
        if lse is not None:
            p.lse_strides = (ctypes.c_int64 * 3)(*lse.stride())
        return p

    def _check(self, status):
        if status != AT_OK:
            raise NativeError(status, self.lib.at_last_error().decode())

    def forward_into(self, p):
        self._check(self.lib.at_attention_forward(ctypes.byref(p)))

    def backward_into(self, p):
        self._check(self.lib.at_attention_backward(ctypes.byref(p)))

    def forward(self, q, k, v, causal, key_lengths=None, causal_offset=0, scale=None):
        """Returns (out, lse); both poisoned with NaN before the call, so unwritten elements show."""
        out = torch.full_like(q, float("nan"))
        lse = torch.full(q.shape[:3], float("nan"), device=q.device, dtype=torch.float32)
        self.forward_into(self.params(q, k, v, out, lse, causal, key_lengths, causal_offset, scale))
        return out, lse

    def backward(self, q, k, v, out, lse, d_out, causal, key_lengths=None, causal_offset=0, scale=None):
        dq, dk, dv = (torch.full_like(t, float("nan")) for t in (q, k, v))
        p = self.params(q, k, v, out, lse, causal, key_lengths, causal_offset, scale)
        p.d_out, p.dq, p.dk, p.dv = self._view(d_out), self._view(dq), self._view(dk), self._view(dv)
        self.backward_into(p)
        return dq, dk, dv
