// StatBatch as a JS class (napi ObjectWrap):
//   new StatBatch(stride)
//   setRow(row, files: {path, kind, keys?, slots, scale?, every?, optional?}[]): open errors[]
//   clearRow(row) / invalidate(row) / close()
//   read(out: Float64Array): null | {row, error}[]    one pass, one call per tick
//   counters(): {opens, preads, openFiles, rows}
// Bad arguments throw a TypeError with code EINVAL_ARG; syscall failures come
// back as values (the addon's usual error objects), never thrown, so one
// vanished group cannot fail a tick.
#include <math.h>

#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "errors.h"
#include "statbatch.h"

namespace berth {

namespace {

class StatBatchWrap : public Napi::ObjectWrap<StatBatchWrap> {
 public:
  explicit StatBatchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StatBatchWrap>(info), batch_(1) {
    int64_t stride = 0;
    if (!GetInteger(info.Env(), Arg(info, 0), "new StatBatch(stride): stride", 1, 4096, &stride)) return;
    batch_ = StatBatch(static_cast<uint32_t>(stride));
  }

  Napi::Value SetRow(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int64_t row = 0;
    if (!GetInteger(env, Arg(info, 0), "setRow(row, files): row", 0, 1 << 20, &row)) return env.Undefined();
    if (!Arg(info, 1).IsArray()) {
      ThrowArgError(env, "setRow(row, files): files must be an array");
      return env.Undefined();
    }
    Napi::Array list = Arg(info, 1).As<Napi::Array>();
    std::vector<StatFile> files(list.Length());
    for (uint32_t i = 0; i < list.Length(); i++)
      if (!GetFile(env, list.Get(i), i, &files[i])) return env.Undefined();
    std::vector<SysError> errors;
    batch_.SetRow(static_cast<uint32_t>(row), std::move(files), &errors);
    Napi::Array out = Napi::Array::New(env, errors.size());
    for (uint32_t i = 0; i < errors.size(); i++) out.Set(i, MakeSysErrorObject(env, errors[i]));
    return out;
  }

  Napi::Value ClearRow(const Napi::CallbackInfo& info) {
    int64_t row = 0;
    if (GetInteger(info.Env(), Arg(info, 0), "clearRow(row): row", 0, 1 << 20, &row))
      batch_.ClearRow(static_cast<uint32_t>(row));
    return info.Env().Undefined();
  }

  Napi::Value Invalidate(const Napi::CallbackInfo& info) {
    int64_t row = 0;
    if (GetInteger(info.Env(), Arg(info, 0), "invalidate(row): row", 0, 1 << 20, &row))
      batch_.Invalidate(static_cast<uint32_t>(row));
    return info.Env().Undefined();
  }

  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Value v = Arg(info, 0);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      ThrowArgError(env, "read(out): out must be a Float64Array");
      return env.Undefined();
    }
    Napi::Float64Array out = v.As<Napi::Float64Array>();
    size_t need = batch_.rowLimit() * batch_.stride();
    if (out.ElementLength() < need) {
      ThrowArgError(env, "read(out): out must hold " + std::to_string(need) + " numbers (rows × stride)");
      return env.Undefined();
    }
    failures_.clear();
    batch_.Read(out.Data(), &failures_);
    if (failures_.empty()) return env.Null();
    Napi::Array list = Napi::Array::New(env, failures_.size());
    for (uint32_t i = 0; i < failures_.size(); i++) {
      Napi::Object f = Napi::Object::New(env);
      f.Set("row", Napi::Number::New(env, failures_[i].row));
      f.Set("error", MakeSysErrorObject(env, failures_[i].error));
      list.Set(i, f);
    }
    return list;
  }

  Napi::Value Counters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("opens", Napi::Number::New(env, static_cast<double>(batch_.opens())));
    o.Set("preads", Napi::Number::New(env, static_cast<double>(batch_.preads())));
    o.Set("openFiles", Napi::Number::New(env, static_cast<double>(batch_.openFiles())));
    o.Set("rows", Napi::Number::New(env, static_cast<double>(batch_.rowLimit())));
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    batch_.CloseAll();
    return info.Env().Undefined();
  }

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "StatBatch",
                       {InstanceMethod<&StatBatchWrap::SetRow>("setRow"),
                        InstanceMethod<&StatBatchWrap::ClearRow>("clearRow"),
                        InstanceMethod<&StatBatchWrap::Invalidate>("invalidate"),
                        InstanceMethod<&StatBatchWrap::Read>("read"),
                        InstanceMethod<&StatBatchWrap::Counters>("counters"),
                        InstanceMethod<&StatBatchWrap::Close>("close")});
  }

 private:
  static Napi::Value Arg(const Napi::CallbackInfo& info, size_t i) {
    return info.Length() > i ? info[i] : info.Env().Undefined();
  }

  bool GetFile(Napi::Env env, Napi::Value value, uint32_t index, StatFile* f) {
    const std::string what = "setRow(row, files): files[" + std::to_string(index) + "]";
    if (!value.IsObject()) {
      ThrowArgError(env, what + " must be an object");
      return false;
    }
    Napi::Object o = value.As<Napi::Object>();
    if (!GetPath(env, o.Get("path"), what + ".path", &f->path)) return false;
    std::string kind;
    if (!GetName(env, o.Get("kind"), what + ".kind", &kind)) return false;
    if (!StatKindFromName(kind, &f->kind)) {
      ThrowArgError(env, what + ".kind must be one of single, keyed, rwstat, nested, psi, netdev");
      return false;
    }
    Napi::Value keys = o.Get("keys");
    if (keys.IsArray()) {
      Napi::Array k = keys.As<Napi::Array>();
      for (uint32_t i = 0; i < k.Length(); i++) {
        std::string key;
        if (!GetName(env, k.Get(i), what + ".keys[" + std::to_string(i) + "]", &key)) return false;
        f->keys.push_back(std::move(key));
      }
    } else if (!keys.IsUndefined()) {
      ThrowArgError(env, what + ".keys must be an array of strings");
      return false;
    }
    if ((f->kind == StatKind::kKeyed || f->kind == StatKind::kNested) && f->keys.empty()) {
      ThrowArgError(env, what + ".keys must name at least one key for kind " + kind);
      return false;
    }
    Napi::Value slots = o.Get("slots");
    size_t count = StatValueCount(f->kind, f->keys.size());
    if (!slots.IsArray() || slots.As<Napi::Array>().Length() != count) {
      ThrowArgError(env, what + ".slots must be an array of " + std::to_string(count) + " slot numbers");
      return false;
    }
    Napi::Array s = slots.As<Napi::Array>();
    for (uint32_t i = 0; i < count; i++) {
      int64_t slot = 0;
      if (!GetInteger(env, s.Get(i), what + ".slots[" + std::to_string(i) + "]", -1, batch_.stride() - 1.0, &slot))
        return false;
      f->slots.push_back(static_cast<int32_t>(slot));
    }
    Napi::Value scale = o.Get("scale");
    if (!scale.IsUndefined()) {
      if (!scale.IsNumber() || !isfinite(scale.As<Napi::Number>().DoubleValue())) {
        ThrowArgError(env, what + ".scale must be a finite number");
        return false;
      }
      f->scale = scale.As<Napi::Number>().DoubleValue();
    }
    Napi::Value optional = o.Get("optional");
    if (!optional.IsUndefined()) {
      if (!optional.IsBoolean()) {
        ThrowArgError(env, what + ".optional must be a boolean");
        return false;
      }
      f->optional = optional.As<Napi::Boolean>().Value();
    }
    Napi::Value every = o.Get("every");
    if (!every.IsUndefined()) {
      int64_t e = 1;
      if (!GetInteger(env, every, what + ".every", 1, 3600, &e)) return false;
      f->every = static_cast<uint32_t>(e);
    }
    return true;
  }

  StatBatch batch_;
  std::vector<StatReadFailure> failures_;
};

}  // namespace

Napi::Function StatBatchClass(Napi::Env env) { return StatBatchWrap::Define(env); }

}  // namespace berth
