// Runs the kernel sources on the CPU for the Java tests. Device memory is a file both processes
// map, here at the fixed address the Java side uses as device addresses, so pointers in kernel
// arguments work as they are. Commands on stdin, one per line:
//   launch <kernel> <gx> <gy> <gz> <bx> <by> <bz> <argument bytes in hex>   ->  "ok" | "error <why>"
#include "cuda_emu.h"

#include "elementwise.cu"
#include "layout.cu"
#include "patch.cu"
#include "reduction.cu"
#include "softmax.cu"
#include "layernorm.cu"
#include "embedding.cu"
#include "loss.cu"
#include "optimizer.cu"
#include "cast.cu"
#include "routing.cu"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

thread_local EmuDim threadIdx;
thread_local EmuDim blockIdx;
EmuDim blockDim;
EmuDim gridDim;
std::unique_ptr<std::barrier<>> emuBlockBarrier;
std::vector<EmuWarp> emuWarps;

using Blob = std::vector<unsigned char>;
using Body = std::function<void()>;

// Arguments sit in the blob at their natural alignment, as KernelArgs packs them.
template <class T>
T take(const Blob& blob, size_t& off) {
    off = (off + alignof(T) - 1) / alignof(T) * alignof(T);
    if (off + sizeof(T) > blob.size()) {
        throw std::runtime_error("argument bytes end early");
    }
    T v;
    std::memcpy(&v, blob.data() + off, sizeof(T));
    off += sizeof(T);
    return v;
}

template <class... A>
Body bindArgs(void (*f)(A...), const Blob& blob) {
    size_t off = 0;
    std::tuple<A...> args{take<A>(blob, off)...}; // braced lists evaluate left to right
    if (off != blob.size()) {
        throw std::runtime_error("argument bytes do not match the kernel's parameters");
    }
    return [f, args] { std::apply(f, args); };
}

#define KERNEL(k) {#k, [](const Blob& b) { return bindArgs(k, b); }}

static const std::map<std::string, std::function<Body(const Blob&)>> kernels = {
    KERNEL(fill_f32), KERNEL(add_f32), KERNEL(sub_f32), KERNEL(mul_f32), KERNEL(div_f32), KERNEL(relu_f32),
    KERNEL(relu_grad_f32), KERNEL(gelu_f32), KERNEL(gelu_grad_f32), KERNEL(scale_f32), KERNEL(strided_copy_f32),
    KERNEL(rsqrt_f32), KERNEL(rsqrt_grad_f32), KERNEL(im2col_f32), KERNEL(col2im_f32),
    KERNEL(reduce_sum_rows_f32), KERNEL(reduce_sum_cols_f32), KERNEL(softmax_f32), KERNEL(softmax_grad_f32),
    KERNEL(layer_norm_f32), KERNEL(layer_norm_grad_f32), KERNEL(layer_norm_stats_f32), KERNEL(layer_norm_gamma_grad_f32),
    KERNEL(embedding_f32), KERNEL(embedding_grad_f32), KERNEL(cross_entropy_rows_f32), KERNEL(sum_parts_f32),
    KERNEL(cross_entropy_grad_f32), KERNEL(mse_parts_f32), KERNEL(momentum_update_f32), KERNEL(sgd_apply_f32),
    KERNEL(adam_moment_f32), KERNEL(adam_apply_f32), KERNEL(step_increment_f32), KERNEL(f32_to_bf16), KERNEL(bf16_to_f32),
    KERNEL(round_bf16_f32), KERNEL(round_f16_f32), KERNEL(flag_nonfinite_f32),
    KERNEL(row_max_f32), KERNEL(row_sum_exp_f32), KERNEL(pick_target_f32), KERNEL(cross_entropy_stats_rows_f32),
    KERNEL(cross_entropy_grad_stats_f32),
    KERNEL(top2_routing_f32),
};

// One OS thread per CUDA thread, alive for the whole grid; blocks run in turn.
static void run(const Body& body, EmuDim grid, EmuDim block) {
    gridDim = grid;
    blockDim = block;
    const int threads = (int)(block.x * block.y * block.z);
    if (threads % 32 != 0) {
        throw std::runtime_error("blocks here are whole warps");
    }
    emuBlockBarrier = std::make_unique<std::barrier<>>(threads);
    emuWarps = std::vector<EmuWarp>(threads / 32);
    for (EmuWarp& w : emuWarps) {
        w.barrier = std::make_unique<std::barrier<>>(32);
    }
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            threadIdx = {(unsigned)t % block.x, (unsigned)(t / block.x) % block.y, (unsigned)t / (block.x * block.y)};
            for (unsigned bz = 0; bz < grid.z; ++bz) {
                for (unsigned by = 0; by < grid.y; ++by) {
                    for (unsigned bx = 0; bx < grid.x; ++bx) {
                        blockIdx = {bx, by, bz};
                        body();
                        emuBlockBarrier->arrive_and_wait(); // the block is done before the next one starts
                    }
                }
            }
        });
    }
    for (std::thread& t : pool) {
        t.join();
    }
}

static Blob hex(const std::string& s) {
    Blob b(s.size() / 2);
    for (size_t i = 0; i < b.size(); ++i) {
        b[i] = (unsigned char)std::stoi(s.substr(2 * i, 2), nullptr, 16);
    }
    return b;
}

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: emulator <memory file> <base address, hex> <bytes>\n");
        return 2;
    }
    const unsigned long long base = std::stoull(argv[2], nullptr, 16);
    const size_t bytes = std::stoull(argv[3]);
    const int fd = open(argv[1], O_RDWR);
    void* at = fd < 0 ? MAP_FAILED
                      : mmap((void*)base, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
    if (at != (void*)base) {
        std::fprintf(stderr, "cannot map %s at 0x%llx\n", argv[1], base);
        return 2;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd, name, args;
        EmuDim g{}, b{};
        in >> cmd;
        if (cmd == "quit") {
            break;
        }
        in >> name >> g.x >> g.y >> g.z >> b.x >> b.y >> b.z >> args;
        try {
            auto k = kernels.find(name);
            if (cmd != "launch" || k == kernels.end()) {
                throw std::runtime_error("unknown command or kernel: " + line.substr(0, 80));
            }
            run(k->second(hex(args)), g, b);
            std::cout << "ok" << std::endl;
        } catch (const std::exception& e) {
            std::cout << "error " << e.what() << std::endl;
        }
    }
    return 0;
}
