// dynalite 4.0.0's `checkTypes` (validations/index.js, Apache-2.0), which its server runs
// on every request body (`validations.checkTypes(data, actionValidation.types)`, looked up
// on the module at call time). Transcribed case for case, with three changes that do not
// change what it returns, throws or does to its input (this module is strict-mode code,
// dynalite's is not: where the two differ, the sloppy-mode behaviour is kept):
//  - an attribute value of the common shapes `{ "S": "…" }` / `{ "N": "…" }` (the only own
//    and enumerable key, a string) is answered with a copy directly: the original turns
//    it into a check against a ten-member AttributeValue structure built anew for each
//    value, whose only non-null member is that string, which 'String' returns as it is,
//    and deletes nothing from it;
//  - the parse of a type name (`Map<AttributeValue>` → `Map`, `AttributeValue`) is kept
//    per name (type names come from dynalite's action specs: a fixed set);
//  - the AttributeValue structure is built once per subtype instead of once per value
//    (nothing writes to a type description).
// About a fifth of the emulator's CPU under BatchWriteItem load went to the original.

type TypeSpec = string | { type?: string; children?: TypeSpec | Record<string, TypeSpec> };
type Types = Record<string, TypeSpec>;

interface SerializationError extends Error {
  statusCode: number;
  body: { __type: string; Message: string };
}

function typeError(msg: string): SerializationError {
  const err = new Error(msg) as SerializationError;
  err.statusCode = 400;
  err.body = {
    __type: 'com.amazon.coral.service#SerializationException',
    Message: msg,
  };
  return err;
}

const SUBTYPE = /(.+?)<(.+)>$/;
const parsedNames = new Map<string, [string, string | undefined]>();

function parseTypeName(name: string): [string, string | undefined] {
  let parsed = parsedNames.get(name);
  if (parsed === undefined) {
    const match = name.match(SUBTYPE);
    parsed = match != null ? [match[1]!, match[2]] : [name, undefined];
    parsedNames.set(name, parsed);
  }
  return parsed;
}

const attrStructs = new Map<string | undefined, TypeSpec>();

function attrStruct(subtype: string | undefined): TypeSpec {
  let spec = attrStructs.get(subtype);
  if (spec === undefined) {
    spec = {
      type: subtype + '<AttributeValue>',
      children: {
        S: 'String',
        B: 'Blob',
        N: 'String',
        BOOL: 'Boolean',
        NULL: 'Boolean',
        BS: {
          type: 'List',
          children: 'Blob',
        },
        NS: {
          type: 'List',
          children: 'String',
        },
        SS: {
          type: 'List',
          children: 'String',
        },
        L: {
          type: 'List',
          children: 'AttrStruct<ValueStruct>',
        },
        M: {
          type: 'Map<AttributeValue>',
          children: 'AttrStruct<ValueStruct>',
        },
      },
    };
    attrStructs.set(subtype, spec);
  }
  return spec;
}

/**
 * `{ S: string }` or `{ N: string }` (that key alone, own, enumerable): a copy, which is
 * what the original returns for it. Anything else: undefined (the original's path).
 */
function plainStringValue(val: unknown): { S: string } | { N: string } | undefined {
  if (typeof val !== 'object' || val === null || Array.isArray(val)) return undefined;
  let only: string | undefined;
  for (const key in val) {
    if (only !== undefined) return undefined;
    only = key;
  }
  if (only !== 'S' && only !== 'N') return undefined;
  if (!Object.prototype.hasOwnProperty.call(val, only)) return undefined;
  const value = (val as Record<string, unknown>)[only];
  if (typeof value !== 'string') return undefined;
  return only === 'S' ? { S: value } : { N: value };
}

/** Same result, error and effect on `data` as dynalite's `checkTypes(data, types)`. */
export function checkTypes(data: Record<string, unknown>, types: Types): Record<string, unknown> {
  let key: string;
  for (key in data) {
    // TODO: deal with nulls
    // dynalite's code is sloppy-mode, where `delete` of what cannot be deleted (the index
    // of a string: a request body may be any JSON value) is a no-op; here it would throw.
    if (!types[key] || data[key] == null) {
      if (typeof data == 'object' && data !== null) Reflect.deleteProperty(data, key);
    }
  }

  return Object.keys(types).reduce<Record<string, unknown>>(function (newData, key) {
    const val = checkType(data[key], types[key]!);
    if (val != null) newData[key] = val;
    return newData;
  }, {});
}

function checkType(val: unknown, typeSpec: TypeSpec): unknown {
  if (val == null) return null;
  let children = typeof typeSpec == 'string' ? undefined : typeSpec.children;
  if (typeof children == 'string') children = { type: children };
  let type = typeSpec as string;
  if (typeof typeSpec != 'string' && typeSpec.type) type = typeSpec.type;
  if (type === 'AttrStruct<ValueStruct>') {
    const plain = plainStringValue(val);
    if (plain !== undefined) return plain;
  }
  const [baseType, subtype] = parseTypeName(type);
  type = baseType;

  if (type == 'AttrStruct') {
    return checkType(val, attrStruct(subtype));
  }

  switch (type) {
    case 'Boolean':
      switch (typeof val) {
        case 'number':
          throw typeError(
            (val % 1 === 0 ? 'NUMBER_VALUE' : 'DECIMAL_VALUE') + ' cannot be converted to ' + type,
          );
        case 'string':
          // 'true'/'false'/'1'/'0'/'no'/'yes' seem to convert fine
          val = val.toUpperCase();
          if (~['TRUE', '1', 'YES'].indexOf(val as string)) {
            val = true;
          } else if (~['FALSE', '0', 'NO'].indexOf(val as string)) {
            val = false;
          } else {
            throw typeError('Unexpected token received from parser');
          }
          break;
        case 'object':
          if (Array.isArray(val))
            throw typeError('Unrecognized collection type class java.lang.' + type);
          throw typeError('Start of structure or map found where not expected');
      }
      return val;
    case 'Short':
    case 'Integer':
    case 'Long':
    case 'Double':
      switch (typeof val) {
        case 'boolean':
          throw typeError((val ? 'TRUE_VALUE' : 'FALSE_VALUE') + ' cannot be converted to ' + type);
        case 'number':
          if (type != 'Double') val = Math.floor(val);
          break;
        case 'string':
          throw typeError('STRING_VALUE cannot be converted to ' + type);
        case 'object':
          if (Array.isArray(val))
            throw typeError('Unrecognized collection type class java.lang.' + type);
          throw typeError('Start of structure or map found where not expected');
      }
      return val;
    case 'String':
      switch (typeof val) {
        case 'boolean':
          throw typeError((val ? 'TRUE_VALUE' : 'FALSE_VALUE') + ' cannot be converted to ' + type);
        case 'number':
          throw typeError(
            (val % 1 === 0 ? 'NUMBER_VALUE' : 'DECIMAL_VALUE') + ' cannot be converted to ' + type,
          );
        case 'object':
          if (Array.isArray(val))
            throw typeError('Unrecognized collection type class java.lang.' + type);
          throw typeError('Start of structure or map found where not expected');
      }
      return val;
    case 'Blob':
      switch (typeof val) {
        case 'boolean':
        case 'number':
          throw typeError('only base-64-encoded strings are convertible to bytes');
        case 'object':
          if (Array.isArray(val))
            throw typeError('Unrecognized collection type class java.nio.ByteBuffer');
          throw typeError('Start of structure or map found where not expected');
      }
      if ((val as string).length % 4)
        throw typeError(
          'Base64 encoded length is expected a multiple of 4 bytes but found: ' +
            (val as string).length,
        );
      // TODO: need a better check than this...
      if (Buffer.from(val as string, 'base64').toString('base64') != val)
        throw typeError('Invalid last non-pad Base64 character dectected');
      return val;
    case 'List':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError('Unexpected field type');
        case 'object':
          if (!Array.isArray(val))
            throw typeError('Start of structure or map found where not expected');
      }
      return (val as unknown[]).map(function (child) {
        return checkType(child, children as TypeSpec);
      });
    case 'ParameterizedList':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError(
            "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')",
          );
        case 'object':
          if (!Array.isArray(val))
            throw typeError('Start of structure or map found where not expected');
      }
      return (val as unknown[]).map(function (child) {
        return checkType(child, children as TypeSpec);
      });
    case 'ParameterizedMap':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError(
            "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')",
          );
        case 'object':
          if (Array.isArray(val))
            throw typeError(
              'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>',
            );
      }
      return Object.keys(val as object).reduce<Record<string, unknown>>(function (newVal, key) {
        newVal[key] = checkType((val as Record<string, unknown>)[key], children as TypeSpec);
        return newVal;
      }, {});
    case 'Map':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError('Unexpected field type');
        case 'object':
          if (Array.isArray(val)) {
            throw typeError(
              'Unrecognized collection type java.util.Map<java.lang.String, ' +
                (~subtype!.indexOf('.') ? subtype : 'com.amazonaws.dynamodb.v20120810.' + subtype) +
                '>',
            );
          }
      }
      return Object.keys(val as object).reduce<Record<string, unknown>>(function (newVal, key) {
        newVal[key] = checkType((val as Record<string, unknown>)[key], children as TypeSpec);
        return newVal;
      }, {});
    case 'ValueStruct':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError('Unexpected value type in payload');
        case 'object':
          if (Array.isArray(val))
            throw typeError(
              'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.' + subtype,
            );
      }
      return checkTypes(val as Record<string, unknown>, children as Types);
    case 'FieldStruct':
      switch (typeof val) {
        case 'boolean':
        case 'number':
        case 'string':
          throw typeError('Unexpected field type');
        case 'object':
          if (Array.isArray(val))
            throw typeError(
              'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.' + subtype,
            );
      }
      return checkTypes(val as Record<string, unknown>, children as Types);
    default:
      throw new Error('Unknown type: ' + type);
  }
}
