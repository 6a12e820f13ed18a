// A CPU emulation of the few CUDA device features the kernel sources use, so the very same
// sources can run as C++ in the build's tests where no GPU is present. Each thread of a block is
// an OS thread; __syncthreads and warp shuffles are barriers. Blocks run one after another, so
// a __shared__ variable (a function-level static here) serves each block in turn.
#pragma once

#include <math.h>
#include <atomic>
#include <barrier>
#include <cstring>
#include <memory>
#include <vector>

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

struct EmuDim {
    unsigned int x, y, z;
};

extern thread_local EmuDim threadIdx;
extern thread_local EmuDim blockIdx;
extern EmuDim blockDim;
extern EmuDim gridDim;

struct EmuWarp {
    std::unique_ptr<std::barrier<>> barrier;
    unsigned long long slot[32];
};

extern std::unique_ptr<std::barrier<>> emuBlockBarrier;
extern std::vector<EmuWarp> emuWarps;

inline int emuLinearThread() {
    return (int)(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z));
}

inline void __syncthreads() {
    emuBlockBarrier->arrive_and_wait();
}

template <class T>
inline T __shfl_xor_sync(unsigned int, T v, int laneMask) {
    const int t = emuLinearThread();
    EmuWarp& w = emuWarps[t / 32];
    const int lane = t % 32;
    std::memcpy(&w.slot[lane], &v, sizeof(T));
    w.barrier->arrive_and_wait();
    T r;
    std::memcpy(&r, &w.slot[lane ^ laneMask], sizeof(T));
    w.barrier->arrive_and_wait();
    return r;
}

inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}

inline float __uint_as_float(unsigned int i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}

inline unsigned int __float_as_uint(float f) {
    unsigned int i;
    std::memcpy(&i, &f, 4);
    return i;
}

inline float atomicAdd(float* p, float v) {
    return std::atomic_ref<float>(*p).fetch_add(v);
}
