"""Calls openai.Chatgpt/Send with grpcio, as a client of the seed's service would.

The stubs are generated from proto/openai/chatgpt.proto by grpc_tools.protoc
into the directory given as --stubs. Prints one JSON line per Answer
({"content": ...} or {"error": ...}), then {"status": <code name>, "details": ...}.
"""

import argparse
import json
import sys


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stubs", required=True, help="where protoc wrote openai/chatgpt_pb2*.py")
    parser.add_argument("--target", required=True, help="host:port of the server")
    parser.add_argument("--content", default="hello")
    parser.add_argument("--model", default="")
    parser.add_argument("--timeout", type=float, default=None, help="the call's deadline, in seconds")
    parser.add_argument("--cancel-after", type=int, default=None, help="cancel the call after this many Answers")
    return parser.parse_args()


def emit(line):
    print(json.dumps(line, ensure_ascii=False), flush=True)


def main():
    args = parse_args()
    # The generated package is named `openai`, like the seed's; put it ahead of any installed package of that name.
    sys.path.insert(0, args.stubs)
    import grpc
    from openai import chatgpt_pb2, chatgpt_pb2_grpc

    with grpc.insecure_channel(args.target) as channel:
        stub = chatgpt_pb2_grpc.ChatgptStub(channel)
        request = chatgpt_pb2.Message(content=args.content, params=chatgpt_pb2.Params(model=args.model))
        answers = stub.Send(request, timeout=args.timeout)
        received = 0
        try:
            for answer in answers:
                emit({"error": answer.error} if answer.error else {"content": answer.content})
                received += 1
                if args.cancel_after is not None and received >= args.cancel_after:
                    answers.cancel()
        except grpc.RpcError:
            pass  # the status is read below, as for a call that ended well
        emit({"status": answers.code().name, "details": answers.details() or ""})


if __name__ == "__main__":
    main()
