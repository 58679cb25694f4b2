import { toBinary, type DescFile, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/** What server reflection looks up: the services, and the file behind each name. */
export interface DescriptorIndex {
  /** Full names of the services, such as `tokenwire.v1.TokenService`. */
  services: string[];
  /** The file, as `FileDescriptorProto` bytes, then every file it imports, transitively; undefined if unknown. */
  fileByName(name: string): Uint8Array[] | undefined;
  /** The same for the file that declares a fully qualified symbol (message, enum, service, method, extension). */
  fileBySymbol(symbol: string): Uint8Array[] | undefined;
  /** Whether a message type of this full name is known. */
  hasMessage(typeName: string): boolean;
}

/**
 * Indexes the files of the given services and everything they import, so
 * reflection answers from the same descriptors the server decodes with.
 * @internal
 */
export function createDescriptorIndex(services: readonly DescService[]): DescriptorIndex {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  const messages = new Set<string>();
  const addFile = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(addFile);
    for (const service of file.services) {
      symbols.set(service.typeName, file);
      for (const method of service.methods) symbols.set(`${service.typeName}.${method.name}`, file);
    }
    for (const desc of [...file.enums, ...file.extensions]) symbols.set(desc.typeName, file);
    for (const message of file.messages.flatMap(withNested)) {
      symbols.set(message.typeName, file);
      messages.add(message.typeName);
      for (const desc of [...message.nestedEnums, ...message.nestedExtensions]) symbols.set(desc.typeName, file);
    }
  };
  services.forEach((service) => addFile(service.file));
  const withImports = (file: DescFile | undefined) => file && closure(file).map((f) => toBinary(FileDescriptorProtoSchema, f.proto));
  return {
    services: [...new Set(services.map((service) => service.typeName))],
    fileByName: (name) => withImports(files.get(name)),
    fileBySymbol: (symbol) => withImports(symbols.get(symbol)),
    hasMessage: (typeName) => messages.has(typeName),
  };
}

function withNested(message: DescMessage): DescMessage[] {
  return [message, ...message.nestedMessages.flatMap(withNested)];
}

// The file first, then its imports depth first, each once: a client needs them all to build the file.
function closure(file: DescFile, seen = new Set<string>()): DescFile[] {
  if (seen.has(file.proto.name)) return [];
  seen.add(file.proto.name);
  return [file, ...file.dependencies.flatMap((dependency) => closure(dependency, seen))];
}
