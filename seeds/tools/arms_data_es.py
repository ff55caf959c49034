"""Spanish rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "es"
ROWS = """
P|t|Argentina recibe los primeros F-16 comprados a Dinamarca|Los primeros seis cazas F-16 adquiridos a Dinamarca aterrizaron en la base de Río Cuarto. El acuerdo, de unos 300 millones de dólares, incluye repuestos y formación de pilotos.|Argentina receives F-16s
P|t|Colombia elige el Gripen sueco para renovar su flota|El Gobierno colombiano firmó con Saab la compra de 17 cazas Gripen para sustituir a los viejos Kfir.|Colombia buys Gripen
P|t|España vende cinco corbetas a Arabia Saudí|Navantia entregó la última de las cinco corbetas Avante 2200 encargadas por la Marina saudí, pese a las críticas de organizaciones humanitarias. El contrato, firmado en 2018, rondaba los 1.800 millones de euros. Los trabajadores del astillero de San Fernando defendieron el acuerdo por el empleo.|Spanish corvettes to Saudi Arabia
P|t|Tráfico de armas: decomisan fusiles de Texas destinados a un cártel|La Fiscalía de México informó del decomiso de 80 fusiles de asalto comprados en Texas e introducidos de contrabando por Nogales. Las armas estaban ocultas en el doble fondo de un camión de carga. El Gobierno mexicano ha demandado a varios fabricantes estadounidenses.|Cross-border arms trafficking
P|t|Alemania autoriza el envío de tanques Leopard a Ucrania|Berlín aprobó la entrega de carros de combate Leopard 2 y permitió a España y otros aliados hacer lo mismo.|Leopard approval
P|t|España envía más misiles Hawk a Ucrania|El Ministerio de Defensa confirmó un nuevo paquete de ayuda militar con misiles antiaéreos y munición.|Spanish aid to Ukraine
P|t|Corea del Norte suministra proyectiles de artillería a Rusia|Según la inteligencia surcoreana, Pyongyang ha enviado millones de proyectiles a Moscú a cambio de petróleo y tecnología.|DPRK shells to Russia
P|t|Irán entrega drones a Rusia, denuncia Washington|La Casa Blanca asegura que Teherán ha suministrado cientos de drones Shahed y ayuda a Moscú a fabricarlos.|Iranian drones to Russia
P|t|El SIPRI constata un aumento de las importaciones de armas en Europa|Las compras europeas de armamento pesado casi se duplicaron en cinco años, según el instituto sueco.|SIPRI report
P|t|Perú negocia la compra de cazas de combate|La Fuerza Aérea del Perú evalúa ofertas del Rafale, el Gripen y el F-16 Block 70.|Peru fighter purchase
P|t|La ONU denuncia violaciones del embargo de armas a Libia|El panel de expertos detectó vuelos de carga con equipamiento militar hacia el este del país.|Libya embargo breach
P|t|Chile adquiere tanques Leopard usados a Alemania|El Ejército de Chile recibirá repuestos y vehículos de apoyo en un contrato con la industria alemana.|Chile buys German equipment
P|t|Brasil rechaza enviar munición a Ucrania|El presidente Lula negó la petición de Alemania de vender proyectiles para los tanques Gepard donados a Kiev. Lula insistió en que Brasil quiere ser mediador. La decisión enfrió las relaciones con Berlín.|Brazil refuses ammunition transfer
P|t|Venezuela recibe drones iraníes, según informes|Imágenes satelitales muestran drones de diseño iraní en una base aérea venezolana.|Iranian drones to Venezuela
P|t|Gobierno suspende la venta de munición a Israel|El Ministerio de Comercio anuló un contrato de compra de balas a una empresa israelí y revisará las licencias de exportación.|Arms deal cancelled
H|t|Entra en vigor el alto el fuego en Gaza|Miles de desplazados regresaron a sus barrios tras el inicio de la tregua.|Ceasefire
H|t|El Atlético cierra el fichaje del delantero argentino|El traspaso se ha cerrado en 40 millones de euros más variables. El jugador firmará por cinco temporadas. Su presentación será el lunes en el Metropolitano.|Football transfer
H|t|Bizum y transferencias bancarias: cambios en la comisión|Varias entidades eliminarán las comisiones por transferencias inmediatas a partir de marzo.|Bank transfers
H|t|Tiroteo en un bar deja dos heridos|La Policía Nacional busca al autor de los disparos, que huyó en un coche. Los heridos fueron trasladados al hospital. La policía investiga si el ataque está relacionado con un ajuste de cuentas.|Domestic shooting
H|t|Desfile del 12 de Octubre: la Armada abre el paso|Unos 4.000 militares participaron en el desfile del Día de la Fiesta Nacional en Madrid.|Military parade
H|t|El Gobierno aprueba el presupuesto de Defensa|El gasto militar subirá un 10 % con nuevas partidas para personal y mantenimiento. La ministra defendió el aumento ante las exigencias de la OTAN. Los socios de coalición criticaron la medida.|Defence budget
H|t|Cómo armar un presupuesto familiar sin estrés|Expertos recomiendan separar gastos fijos y variables.|Armar = assemble
H|t|Alarma en los cultivos por la sequía|Los agricultores andaluces temen perder la mitad de la cosecha de aceituna.|Alarma word
H|t|El club presenta su nuevo escudo de armas|El diseño recupera elementos históricos de la ciudad.|Coat of arms
H|t|Lanzador de béisbol, fuera por lesión en el brazo|El venezolano sufre una rotura de ligamento en el codo.|Arm injury
N|t|El Banco de España rebaja su previsión de crecimiento|La economía crecerá un 1,8 % este año.|Economy
N|t|Ola de calor: aviso rojo en Andalucía|Las temperaturas superarán los 44 grados. Las autoridades piden evitar la exposición al sol en las horas centrales. Varios municipios abrirán refugios climáticos.|Heatwave
N|t|El Prado expone obras inéditas de Goya|La muestra reúne 30 dibujos nunca vistos.|Art exhibition
N|t|Huelga de taxis en Barcelona|Los taxistas protestan contra las plataformas de transporte.|Strike
N|t|Real Madrid gana la Liga|El equipo blanco se impuso 3-0 en el último partido.|Football result
N|t|Suben los precios del alquiler|El alquiler medio subió un 11 % interanual.|Rent
N|t|La vacunación de la gripe empieza en octubre|Sanidad prioriza a mayores de 60 años.|Health
P|e|Uruguay compra patrulleros a un astillero español|La Armada uruguaya recibirá dos patrulleros oceánicos.|Patrol ship purchase
P|e|México pide a EE. UU. frenar el flujo de armas ilegales|La mayoría de armas incautadas a los cárteles procede de tiendas estadounidenses.|Illegal arms flow
P|e|Ecuador recibe helicópteros donados por Estados Unidos|Washington entregó equipos militares para combatir al crimen organizado.|US donates helicopters
P|e|Indonesia compra aviones de transporte A400M|-|A400M export
H|e|Brazo roto para el portero titular|Estará seis semanas de baja.|Arm injury
H|e|Rusia prueba un nuevo misil hipersónico|El Ministerio de Defensa ruso difundió imágenes del lanzamiento.|Missile test
H|e|Transferencias de jugadores: el mercado cierra en calma|Los clubes españoles apenas gastaron.|Player transfers
N|e|Récord de turistas en verano|Llegaron 12 millones de visitantes en agosto.|Tourism
H|t|España exporta aceite de oliva a récord hacia EE. UU.|Las ventas crecieron un 20 % pese a los aranceles.|Trade exports
H|t|Llega a Gaza un convoy de ayuda humanitaria|Los camiones transportaban alimentos, agua y medicinas.|Aid convoy
H|t|Argentina firma acuerdo de litio con China|El acuerdo prevé inversiones en el norte del país.|Trade deal
P|t|EE. UU. aprueba la venta de misiles a Chile|El Departamento de Estado autorizó un paquete de misiles aire-aire para los F-16 chilenos.|US missile sale to Chile
H|t|Zelenski pide a América Latina apoyo diplomático|El presidente ucraniano habló por videoconferencia ante parlamentarios de la región.|Diplomacy
P|t|España enviará tanques Leopard 2A4 reparados a Ucrania|Los carros salieron del almacén de Zaragoza tras su puesta a punto.|Spanish tanks to Ukraine
"""
